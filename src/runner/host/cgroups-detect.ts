import path from 'node:path';

/** `--cgroups`: detect (auto), require one hierarchy, or never use cgroups. */
export type CgroupsSetting = 'auto' | 'v2' | 'v1' | 'none';

/**
 * What detection reads of the file system, injected so fixture trees can
 * stand in for /proc and /sys/fs/cgroup. Every call is a read or an access
 * check; none may change anything.
 */
export interface CgroupFsView {
  /** A file's text, or undefined when it cannot be read. */
  read(file: string): string | undefined;
  /** access(W_OK) for the runner's user. */
  writable(file: string): boolean;
  isDir(dir: string): boolean;
}

/**
 * Where containers' cgroups go. `parentDir` is the directory the runner
 * creates `vk-cmd/<pod uid>/<container>` under.
 * - v2: `enable` lists the controllers to add to the parent's
 *   cgroup.subtree_control; when the parent holds processes (the runner's
 *   own cgroup) they must first move into a leaf (`moveProcesses`), as the
 *   "no internal processes" rule requires.
 * - v1: the memory hierarchy's directory, and the cpu hierarchy's when it
 *   is writable too (else CPU limits are not enforced).
 * - none: `note` says why, for NodeInfo and the logs.
 */
export type CgroupPlan =
  | { mode: 'v2'; parentDir: string; cpu: boolean; enable: string[]; moveProcesses: boolean }
  | { mode: 'v1'; parentDir: string; cpuParentDir: string | undefined }
  | { mode: 'none'; note: string };

/** One line of /proc/self/mountinfo that mounts a cgroup hierarchy. */
export interface CgroupMount {
  /** The path inside the hierarchy that is mounted (4th field). */
  root: string;
  mountPoint: string;
  version: 1 | 2;
  /** v1: the controllers of the hierarchy (from the super options). */
  controllers: string[];
}

function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The cgroup and cgroup2 mounts of a mountinfo text. Pure. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash === -1) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    const fsType = right[0];
    if ((fsType !== 'cgroup' && fsType !== 'cgroup2') || left.length < 5) continue;
    const superOptions = (right[2] ?? '').split(',');
    out.push({
      root: unescapeMount(left[3]!),
      mountPoint: unescapeMount(left[4]!),
      version: fsType === 'cgroup2' ? 2 : 1,
      controllers: fsType === 'cgroup' ? superOptions.filter((o) => V1_CONTROLLERS.has(o)) : [],
    });
  }
  return out;
}

const V1_CONTROLLERS = new Set(['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio', 'devices', 'freezer']);

/** /proc/self/cgroup as controller -> path; the v2 hierarchy is under the key "" . Pure. */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, cgPath] = m;
    if (id === '0' && controllers === '') out.set('', cgPath!);
    else for (const c of controllers!.split(',')) if (c !== '') out.set(c, cgPath!);
  }
  return out;
}

/** The directory of cgroup `cgPath` under a mount; undefined when the mount does not show it. Pure. */
export function cgroupDir(mount: CgroupMount, cgPath: string): string | undefined {
  const root = mount.root === '/' ? '' : mount.root;
  if (root !== '' && cgPath !== root && !cgPath.startsWith(`${root}/`)) return undefined;
  const rel = cgPath.slice(root.length);
  return rel === '' || rel === '/' ? mount.mountPoint : path.join(mount.mountPoint, rel);
}

/** `cgPath` and its ancestors, nearest first, up to the mount's root. */
function selfAndAncestors(cgPath: string, mountRoot: string): string[] {
  const out: string[] = [];
  let p = cgPath === '' ? '/' : cgPath;
  for (;;) {
    out.push(p);
    if (p === '/' || p === mountRoot) return out;
    p = path.posix.dirname(p);
  }
}

function words(text: string | undefined): string[] {
  return (text ?? '').trim().split(/\s+/).filter(Boolean);
}

const CONTROLLERS_V2 = ['memory', 'cpu'];

function tryV2(
  view: CgroupFsView,
  mounts: CgroupMount[],
  own: Map<string, string>,
  parent?: string,
): CgroupPlan | string {
  const mount = mounts.find((m) => m.version === 2);
  if (!mount) return 'no cgroup2 mount';
  const ownPath = own.get('');
  if (ownPath === undefined && parent === undefined) return 'no cgroup2 path in /proc/self/cgroup';
  // Moving a process needs write access to the common ancestor of its old and new
  // cgroups, so only the runner's own cgroup and its ancestors can be the parent.
  const candidates = parent !== undefined ? [parent] : selfAndAncestors(ownPath!, mount.root);
  let why = 'cgroup2 has no writable cgroup with the memory controller (not delegated)';
  for (const cg of candidates) {
    const dir = cgroupDir(mount, cg);
    if (!dir || !view.isDir(dir)) continue;
    const available = words(view.read(path.join(dir, 'cgroup.controllers')));
    if (!available.includes('memory')) {
      why = `cgroup2 ${dir} does not offer the memory controller (cgroup.controllers: ${available.join(' ') || 'none'})`;
      continue;
    }
    const files = ['', 'cgroup.procs', 'cgroup.subtree_control'].map((f) => path.join(dir, f));
    if (!files.every((f) => view.writable(f))) {
      why = `cgroup2 ${dir} is not writable by this user (not delegated)`;
      continue;
    }
    const enabled = words(view.read(path.join(dir, 'cgroup.subtree_control')));
    const wanted = CONTROLLERS_V2.filter((c) => available.includes(c));
    const enable = wanted.filter((c) => !enabled.includes(c));
    const holdsProcesses = words(view.read(path.join(dir, 'cgroup.procs'))).length > 0;
    return {
      mode: 'v2',
      parentDir: dir,
      cpu: wanted.includes('cpu'),
      enable,
      moveProcesses: enable.length > 0 && holdsProcesses,
    };
  }
  return why;
}

/** The nearest writable directory for `controller`'s v1 hierarchy, from the runner's own cgroup up. */
function v1Dir(
  view: CgroupFsView,
  mounts: CgroupMount[],
  own: Map<string, string>,
  controller: string,
  parent?: string,
): string | undefined {
  const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
  const ownPath = own.get(controller);
  if (!mount || (ownPath === undefined && parent === undefined)) return undefined;
  const candidates = parent !== undefined ? [parent] : selfAndAncestors(ownPath!, mount.root);
  for (const cg of candidates) {
    const dir = cgroupDir(mount, cg);
    if (dir && view.isDir(dir) && view.writable(dir)) return dir;
  }
  return undefined;
}

function tryV1(
  view: CgroupFsView,
  mounts: CgroupMount[],
  own: Map<string, string>,
  parent?: string,
): CgroupPlan | string {
  if (!mounts.some((m) => m.version === 1 && m.controllers.includes('memory'))) {
    return 'no cgroup v1 memory hierarchy';
  }
  const memory = v1Dir(view, mounts, own, 'memory', parent);
  if (!memory) return 'the cgroup v1 memory hierarchy has no cgroup writable by this user';
  return { mode: 'v1', parentDir: memory, cpuParentDir: v1Dir(view, mounts, own, 'cpu', parent) };
}

/**
 * Decides where containers' cgroups go, reading /proc/self/mountinfo,
 * /proc/self/cgroup and the cgroup directories through `view`. Pure over
 * the view. `auto` prefers a delegated cgroup v2 subtree, then a writable
 * v1 memory hierarchy, else none; `v2`/`v1` consider only that one (none,
 * with the reason, when it is not usable). `parent` is a cgroup path (as
 * /proc/self/cgroup spells them) to use instead of the runner's own cgroup.
 */
export function detectCgroups(view: CgroupFsView, setting: CgroupsSetting, parent?: string): CgroupPlan {
  if (setting === 'none') return { mode: 'none', note: 'cgroups turned off (--cgroups=none)' };
  const mounts = parseCgroupMounts(view.read('/proc/self/mountinfo') ?? '');
  const own = parseProcCgroup(view.read('/proc/self/cgroup') ?? '');
  const reasons: string[] = [];
  if (setting === 'auto' || setting === 'v2') {
    const v2 = tryV2(view, mounts, own, parent);
    if (typeof v2 !== 'string') return v2;
    reasons.push(v2);
  }
  if (setting === 'auto' || setting === 'v1') {
    const v1 = tryV1(view, mounts, own, parent);
    if (typeof v1 !== 'string') return v1;
    reasons.push(v1);
  }
  return { mode: 'none', note: `no writable cgroup: ${reasons.join('; ')}` };
}
