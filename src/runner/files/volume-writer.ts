import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { SafeWriter } from './safe-path.js';
import type { VolumePlan } from './volume-plan.js';

/**
 * Creates a pod directory (mode 0700: secrets live there) and writes a
 * checked VolumePlan into it without following symlinks. The pod directory
 * must not exist yet (the caller moves a stale one aside). On failure the
 * partial pod directory is removed and the error is thrown. Blocking.
 */
export function writePodDirectory(podDir: string, plan: VolumePlan): void {
  mkdirSync(path.dirname(podDir), { recursive: true, mode: 0o755 });
  mkdirSync(podDir, { mode: 0o700 });
  try {
    const writer = new SafeWriter(podDir);
    for (const dir of plan.dirs) writer.mkdirs(dir);
    for (const file of plan.files) writer.writeFile(file.path, file.data, file.mode);
    for (const link of plan.symlinks) writer.symlink(link.path, link.target);
  } catch (err) {
    rmSync(podDir, { recursive: true, force: true });
    throw new Error(`failed to write the pod directory ${podDir}: ${errorMessage(err)}`, { cause: err });
  }
}
