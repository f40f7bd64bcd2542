import { readFileSync } from 'node:fs';
import type { HostAccounts, LaunchAbilities, RunnerIdentity } from './security-decision.js';

/** Everything decideSecurity needs to know about this runner and host, read once at start. */
export interface HostSecurity {
  runner: RunnerIdentity;
  can: LaunchAbilities;
  accounts: HostAccounts;
}

/** The CapEff line of a /proc/<pid>/status text, as a mask (0n when absent). */
export function effectiveCapabilities(statusText: string): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)\s*$/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Host accounts from /etc/passwd and /etc/group (files only: a uid known
 * only to LDAP or SSSD has no primary group or memberships here, and gets
 * the runner's gid unless runAsGroup says otherwise). Pure over the texts.
 */
export function parseAccounts(passwd: string, group: string): HostAccounts {
  const users = new Map<number, { name: string; gid: number }>();
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid) && !users.has(uid))
      users.set(uid, { name: f[0]!, gid });
  }
  const members = new Map<string, number[]>();
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    for (const name of f[3]!.split(',').filter((n) => n !== '')) {
      members.set(name, [...(members.get(name) ?? []), gid]);
    }
  }
  return {
    primaryGid: (uid) => users.get(uid)?.gid,
    memberGroups: (uid) => {
      const u = users.get(uid);
      return u ? (members.get(u.name) ?? []) : [];
    },
  };
}

/**
 * Reads who the runner is (uid, gid, groups, effective capabilities) and
 * what its launch path can do. The launch does not yet change identity,
 * capabilities or no_new_privs, so every ability is off: a setting that
 * needs one is refused or noted, never silently dropped.
 */
export function probeHostSecurity(): HostSecurity {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const runner: RunnerIdentity = {
    uid,
    gid,
    groups: process.getgroups?.() ?? [],
    capabilities: effectiveCapabilities(readText('/proc/self/status')),
  };
  const can: LaunchAbilities = {
    changeIds: false,
    limitCapabilities: false,
    noNewPrivs: false,
    chownFiles: false,
  };
  let accounts: HostAccounts | undefined;
  const load = (): HostAccounts =>
    (accounts ??= parseAccounts(readText('/etc/passwd'), readText('/etc/group')));
  return {
    runner,
    can,
    accounts: { primaryGid: (u) => load().primaryGid(u), memberGroups: (u) => load().memberGroups(u) },
  };
}
