import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../common/errors.js';
import { DirHandle } from './dir-handle.js';
import { removeTreeSync } from './remove-tree.js';
import { SafeWriter } from './safe-path.js';
import type { VolumePlan } from './volume-plan.js';

function writePlan(pod: DirHandle, plan: VolumePlan): void {
  const writer = new SafeWriter(pod);
  try {
    for (const dir of plan.dirs) writer.mkdirs(dir);
    for (const file of plan.files) writer.writeFile(file.path, file.data, file.mode);
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
 * moves a stale one aside). On failure the partial pod directory is removed
 * (without following links) and the error is thrown. Blocking.
 */
export function writePodDirectory(podDir: string, plan: VolumePlan): void {
  const nsDir = path.dirname(podDir);
  const podName = path.basename(podDir);
  mkdirSync(path.dirname(nsDir), { recursive: true, mode: 0o755 });
  const root = DirHandle.openAnchor(path.dirname(nsDir));
  let ns: DirHandle | undefined;
  try {
    ns = root.makeDir(path.basename(nsDir), 0o755);
    const pod = ns.makeDir(podName, 0o700, { exclusive: true });
    try {
      writePlan(pod, plan);
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
