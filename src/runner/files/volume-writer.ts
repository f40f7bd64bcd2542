import { fchmodSync, fchownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { errnoCode, errorMessage } from '../../common/errors.js';
import { DirHandle } from './dir-handle.js';
import { removeTreeSync } from './remove-tree.js';
import { SafeWriter } from './safe-path.js';
import type { VolumePlan } from './volume-plan.js';
import {
  ownedDir,
  ownedFileMode,
  ownerOf,
  SHARED_POD_DIR_MODE,
  type PodFileOwnership,
} from './file-ownership.js';

const DIR_MODE = 0o755;

function writePlan(pod: DirHandle, plan: VolumePlan, ownership: PodFileOwnership | undefined): void {
  const writer = new SafeWriter(pod);
  try {
    for (const dir of plan.dirs) {
      const handle = writer.mkdirs(dir, DIR_MODE);
      const owned = ownership && ownedDir(ownership, dir, DIR_MODE);
      if (owned) {
        fchownSync(handle.fd, owned.uid, owned.gid);
        fchmodSync(handle.fd, owned.mode);
      }
    }
    for (const file of plan.files) {
      const owner = ownership && ownerOf(ownership, file.path);
      const mode = owner ? ownedFileMode(file.mode, owner) : file.mode;
      writer.writeFile(file.path, file.data, mode, owner);
    }
    for (const link of plan.symlinks) writer.symlink(link.path, link.target);
  } finally {
    writer.close();
  }
}

/**
 * Creates a pod directory `<root>/<namespace>/<pod>` (mode 0700: secrets
 * live there) and writes a checked VolumePlan into it without following
 * symlinks: the root is opened by its path, the namespace and pod
 * directories are created and opened through it with O_NOFOLLOW (see
 * DirHandle), and every file, directory and emptyDir link is created
 * through those handles. The pod directory must not exist yet: when an
 * entry has its name, `makeRoom` (the caller moves it aside) is called and
 * the directory created again; without it, that is an error. Looking only
 * when the exclusive mkdir fails spares every other pod the look. With `ownership` (containers that run as other
 * users), the pod directory is SHARED_POD_DIR_MODE and each container's
 * directory and files go to its owner (file-ownership.ts). On failure the
 * partial pod directory is removed (without following links) and the error
 * is thrown. Blocking.
 */
export function writePodDirectory(
  podDir: string,
  plan: VolumePlan,
  ownership: PodFileOwnership | undefined = undefined,
  makeRoom?: () => void,
): void {
  const nsDir = path.dirname(podDir);
  const podName = path.basename(podDir);
  const root = openRoot(path.dirname(nsDir));
  let ns: DirHandle | undefined;
  try {
    ns = root.makeDir(path.basename(nsDir), 0o755);
    const pod = makePodDir(ns, podName, ownership ? SHARED_POD_DIR_MODE : 0o700, makeRoom);
    try {
      writePlan(pod, plan, ownership);
    } catch (err) {
      pod.close();
      removeTreeSync(ns, podName, true);
      throw err;
    }
    pod.close();
  } catch (err) {
    throw new Error(`failed to write the pod directory ${podDir}: ${errorMessage(err)}`, { cause: err });
  } finally {
    ns?.close();
    root.close();
  }
}

/** Opens the root, creating it (and its parents) first only when it is missing. */
function openRoot(dir: string): DirHandle {
  try {
    return DirHandle.openAnchor(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return DirHandle.openAnchor(dir);
}

/** Creates the pod directory (exclusive); an entry in its way is handed to `makeRoom` once. */
function makePodDir(
  ns: DirHandle,
  name: string,
  mode: number,
  makeRoom: (() => void) | undefined,
): DirHandle {
  try {
    return ns.makeDir(name, mode, { exclusive: true });
  } catch (err) {
    // EEXIST, or a refusal naming the symlink in the way: either way an entry has the name.
    if (!makeRoom || ns.lstat(name) === undefined) throw err;
  }
  makeRoom();
  return ns.makeDir(name, mode, { exclusive: true });
}
