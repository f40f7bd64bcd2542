import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HostAccounts, LaunchAbilities, RunnerIdentity } from './security-types.js';

/** Everything decideSecurity needs to know about this runner and host, read once at start. */
export interface HostSecurity {
  runner: RunnerIdentity;
  can: LaunchAbilities;
  accounts: HostAccounts;
  /** Absolute path of setpriv (util-linux), the program that applies a launch's identity and capabilities; undefined when absent. */
  setpriv?: string | undefined;
  /** `setpriv --version`'s line, for the log. */
  setprivVersion?: string | undefined;
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
 * What a launch through setpriv can do for this runner. Pure. Changing
 * uid, gid and groups, limiting capabilities and giving files to another
 * owner need root (uid 0) and setpriv; no_new_privs needs only setpriv (any
 * process may set it on itself).
 */
export function launchAbilities(runnerUid: number, setprivPresent: boolean): LaunchAbilities {
  const root = runnerUid === 0 && setprivPresent;
  return { changeIds: root, limitCapabilities: root, noNewPrivs: setprivPresent, chownFiles: root };
}

/** The first executable `setpriv` in the PATH directories, then /usr/bin and /bin; undefined when none. */
export function findSetpriv(pathVar: string | undefined): string | undefined {
  const dirs = [...(pathVar ?? '').split(':').filter((d) => d.startsWith('/')), '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const file = path.join(dir, 'setpriv');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function setprivVersion(file: string): string | undefined {
  try {
    return execFileSync(file, ['--version'], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')[0]
      ?.trim();
  } catch {
    return undefined;
  }
}

/**
 * Reads who the runner is (uid, gid, groups, effective capabilities) and
 * what its launch path can do: setpriv (util-linux) is probed once here; a
 * setpriv that does not answer `--version` counts as absent. Without it
 * every ability is off, so a setting that needs one is refused or noted,
 * never silently dropped.
 */
export function probeHostSecurity(pathVar: string | undefined = process.env['PATH']): HostSecurity {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const runner: RunnerIdentity = {
    uid,
    gid,
    groups: process.getgroups?.() ?? [],
    capabilities: effectiveCapabilities(readText('/proc/self/status')),
  };
  const found = findSetpriv(pathVar);
  const version = found === undefined ? undefined : setprivVersion(found);
  const setpriv = version === undefined ? undefined : found;
  let accounts: HostAccounts | undefined;
  const load = (): HostAccounts =>
    (accounts ??= parseAccounts(readText('/etc/passwd'), readText('/etc/group')));
  return {
    runner,
    can: launchAbilities(uid, setpriv !== undefined),
    accounts: { primaryGid: (u) => load().primaryGid(u), memberGroups: (u) => load().memberGroups(u) },
    setpriv,
    setprivVersion: version,
  };
}

/** One line for the runner's start log: who it is and which securityContext settings its launch applies. Pure. */
export function describeHostSecurity(host: HostSecurity): string {
  const who = `the runner runs as uid ${host.runner.uid}`;
  if (host.setpriv === undefined)
    return `${who}; setpriv (util-linux) not found: containers run as the runner, with its capabilities`;
  const what = Object.entries(host.can)
    .filter(([, on]) => on)
    .map(([name]) => name);
  return `${who}; ${host.setprivVersion ?? 'setpriv'} at ${host.setpriv}: launches can ${what.join(', ')}`;
}
