/**
 * Who owns the files the runner writes for a pod whose containers run as
 * other users (a root runner with setpriv): each container's directory and
 * its configMap, secret and downwardAPI files belong to the container's
 * uid and gid, or are group-owned by its fsGroup with group read, as a
 * kubelet's volume ownership gives them. Everything is applied with
 * fchown/fchmod on the handles the writer holds (docs/decisions/0006).
 */

/** The owner of one container's directory and files. */
export interface ContainerFileOwner {
  uid: number;
  gid: number;
  /** fsGroup: `gid` is the fsGroup; files get group read, directories group search and setgid. */
  groupAccess: boolean;
}

/** The owners of a pod's files; entries not listed stay the runner's. */
export interface PodFileOwnership {
  /** By container directory relative to the pod directory (containers/<name>). */
  containers: Map<string, ContainerFileOwner>;
  /** The pod's fsGroup, for its emptyDir directories; undefined leaves their group alone. */
  emptyDirGid?: number | undefined;
}

/** The pod directory of such a pod: searchable, not listable, so a container's uid reaches its own directory. */
export const SHARED_POD_DIR_MODE = 0o711;
/** A container directory given to its user: others cannot look in (its secrets live there). */
export const OWNED_CONTAINER_DIR_MODE = 0o750;
/** emptyDir directories of such a pod, as a kubelet creates them (writable by every container's uid). */
export const SHARED_EMPTY_DIR_MODE = 0o777;
const EMPTY_DIR_ROOT = 'volumes';

/** Whether `relative` is `dir` or below it. */
function isWithin(relative: string, dir: string): boolean {
  return relative === dir || relative.startsWith(`${dir}/`);
}

/** The owner of a path relative to the pod directory, or undefined (the runner keeps it). Pure. */
export function ownerOf(ownership: PodFileOwnership, relative: string): ContainerFileOwner | undefined {
  for (const [dir, owner] of ownership.containers) if (isWithin(relative, dir)) return owner;
  return undefined;
}

/** A file's mode for its owner: with groupAccess, group read (and group execute where the owner has it). Pure. */
export function ownedFileMode(mode: number, owner: ContainerFileOwner): number {
  if (!owner.groupAccess) return mode;
  return mode | 0o040 | ((mode & 0o100) >> 3);
}

/**
 * A directory's mode and owner, or undefined to leave it as created. The
 * container directory itself is OWNED_CONTAINER_DIR_MODE; emptyDir
 * directories are SHARED_EMPTY_DIR_MODE (setgid with the fsGroup). Pure.
 */
export function ownedDir(
  ownership: PodFileOwnership,
  relative: string,
  createdMode: number,
): { uid: number; gid: number; mode: number } | undefined {
  if (isWithin(relative, EMPTY_DIR_ROOT) && relative !== EMPTY_DIR_ROOT) {
    const gid = ownership.emptyDirGid;
    return gid === undefined
      ? { uid: -1, gid: -1, mode: SHARED_EMPTY_DIR_MODE }
      : { uid: -1, gid, mode: SHARED_EMPTY_DIR_MODE | 0o2000 };
  }
  for (const [dir, owner] of ownership.containers) {
    if (!isWithin(relative, dir)) continue;
    const base = relative === dir ? OWNED_CONTAINER_DIR_MODE : createdMode;
    return { uid: owner.uid, gid: owner.gid, mode: owner.groupAccess ? base | 0o2050 : base };
  }
  return undefined;
}
