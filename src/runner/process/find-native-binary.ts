import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * One of the runner's native helpers (the launcher, the PTY helper): `override`
 * when set (undefined if it is not executable), else `bin/<name>` beside the
 * bundle's `lib/` in a release tarball, else `dist/native/<name>` when running
 * from the repository's `dist/`. Undefined when none is there.
 */
export function findNativeBinary(name: string, override: string | undefined): string | undefined {
  if (override) return isExecutable(override) ? override : undefined;
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.resolve(here, '../bin', name), path.resolve(here, '../../../native', name)].find(isExecutable);
}
