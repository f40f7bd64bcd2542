import { findNativeBinary } from './find-native-binary.js';

/** The launcher's file name: built from vk-cmd-launcher.c by `make build` and shipped by `make dist`. */
export const LAUNCHER_NAME = 'vk-cmd-launcher';

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
  return findNativeBinary(LAUNCHER_NAME, override);
}
