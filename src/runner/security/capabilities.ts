/**
 * Linux capability names and numbers (linux/capability.h), and the set a
 * container gets when it is not privileged: containerd's and runc's
 * default. Masks are bigints (bit n = capability n), as /proc/<pid>/status
 * prints them in hex.
 */
export const CAPABILITY_NUMBERS: Readonly<Record<string, number>> = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  DAC_READ_SEARCH: 2,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  SETPCAP: 8,
  LINUX_IMMUTABLE: 9,
  NET_BIND_SERVICE: 10,
  NET_BROADCAST: 11,
  NET_ADMIN: 12,
  NET_RAW: 13,
  IPC_LOCK: 14,
  IPC_OWNER: 15,
  SYS_MODULE: 16,
  SYS_RAWIO: 17,
  SYS_CHROOT: 18,
  SYS_PTRACE: 19,
  SYS_PACCT: 20,
  SYS_ADMIN: 21,
  SYS_BOOT: 22,
  SYS_NICE: 23,
  SYS_RESOURCE: 24,
  SYS_TIME: 25,
  SYS_TTY_CONFIG: 26,
  MKNOD: 27,
  LEASE: 28,
  AUDIT_WRITE: 29,
  AUDIT_CONTROL: 30,
  SETFCAP: 31,
  MAC_OVERRIDE: 32,
  MAC_ADMIN: 33,
  SYSLOG: 34,
  WAKE_ALARM: 35,
  BLOCK_SUSPEND: 36,
  AUDIT_READ: 37,
  PERFMON: 38,
  BPF: 39,
  CHECKPOINT_RESTORE: 40,
};

/** The capabilities of a container that is not privileged, before add and drop (containerd/runc default). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

/** Every capability this table knows. */
export const ALL_CAPABILITIES_MASK = Object.values(CAPABILITY_NUMBERS).reduce(
  (m, n) => m | (1n << BigInt(n)),
  0n,
);

/** "CAP_NET_ADMIN", "net_admin" and "NET_ADMIN" all name NET_ADMIN; "ALL" stays "ALL". */
export function normaliseCapabilityName(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

/** The mask of a list of names ("ALL" is every known capability); unknown names are returned apart. */
export function capabilityMask(names: readonly string[]): { mask: bigint; unknown: string[] } {
  let mask = 0n;
  const unknown: string[] = [];
  for (const raw of names) {
    const name = normaliseCapabilityName(raw);
    if (name === 'ALL') mask |= ALL_CAPABILITIES_MASK;
    else if (CAPABILITY_NUMBERS[name] !== undefined) mask |= 1n << BigInt(CAPABILITY_NUMBERS[name]);
    else unknown.push(raw);
  }
  return { mask, unknown };
}

/** Each capability's name and bit, lowest number first (computed once: every launch asks for names). */
const CAPABILITY_BITS: readonly (readonly [string, bigint])[] = Object.entries(CAPABILITY_NUMBERS)
  .sort((a, b) => a[1] - b[1])
  .map(([name, n]) => [name, 1n << BigInt(n)] as const);

/** Names of the capabilities in a mask, lowest number first (setpriv's spelling is these in lower case). */
export function capabilityNames(mask: bigint): string[] {
  const out: string[] = [];
  for (const [name, bit] of CAPABILITY_BITS) if (mask & bit) out.push(name);
  return out;
}

/** A mask as /proc/<pid>/status prints it (16 hex digits). */
export function formatCapabilityMask(mask: bigint): string {
  return mask.toString(16).padStart(16, '0');
}
