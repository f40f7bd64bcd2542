import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The launcher's file name: built from vk-cmd-launcher.c by `make build` and shipped by `make dist`. */
export const LAUNCHER_NAME = 'vk-cmd-launcher';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the launcher: VK_CMD_LAUNCHER ("none" turns it off), else
 * `bin/vk-cmd-launcher` beside the bundle's `lib/` in a release tarball, else
 * `dist/native/vk-cmd-launcher` when running from the repository's `dist/`.
 */
export function findLauncher(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const override = env['VK_CMD_LAUNCHER'];
  if (override === 'none') return undefined;
  if (override) return isExecutable(override) ? override : undefined;
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [
    path.resolve(here, '../bin', LAUNCHER_NAME),
    path.resolve(here, '../../../native', LAUNCHER_NAME),
  ].find(isExecutable);
}
