import { fchmodSync, fchownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../common/errors.js';
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
 * through those handles. The pod directory must not exist yet (the caller
 * moves a stale one aside). With `ownership` (containers that run as other
 * users), the pod directory is SHARED_POD_DIR_MODE and each container's
 * directory and files go to its owner (file-ownership.ts). On failure the
 * partial pod directory is removed (without following links) and the error
 * is thrown. Blocking.
 */
export function writePodDirectory(
  podDir: string,
  plan: VolumePlan,
  ownership: PodFileOwnership | undefined = undefined,
): void {
  const nsDir = path.dirname(podDir);
  const podName = path.basename(podDir);
  mkdirSync(path.dirname(nsDir), { recursive: true, mode: 0o755 });
  const root = DirHandle.openAnchor(path.dirname(nsDir));
  let ns: DirHandle | undefined;
  try {
    ns = root.makeDir(path.basename(nsDir), 0o755);
    const pod = ns.makeDir(podName, ownership ? SHARED_POD_DIR_MODE : 0o700, { exclusive: true });
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
