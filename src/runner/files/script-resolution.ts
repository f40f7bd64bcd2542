import type { Container__Output } from '../../generated/vkcmd/runner/v1/Container.js';
import { joinRelative, normalizeUserPath, UnsafePathError } from './safe-path.js';
import type { MountContent } from './volume-plan.js';

/** The script of a container, relative to its container directory, or why there is none. */
export type ScriptResolution =
  | { kind: 'none' }
  | { kind: 'script'; path: string }
  | { kind: 'error'; reason: 'readDefaultVolDirError'; message: string };

/** The volumeMount an image names, by the mount's volume name or as "<mount>/<file>". */
export function mountNamedByImage(
  container: Pick<Container__Output, 'image' | 'volumeMounts'>,
): { mountIndex: number; file: string | undefined } | undefined {
  const image = container.image;
  if (!image) return undefined;
  const exact = container.volumeMounts.findIndex((m) => m.name === image);
  if (exact !== -1) return { mountIndex: exact, file: undefined };
  const slash = image.indexOf('/');
  if (slash <= 0) return undefined;
  const name = image.slice(0, slash);
  const index = container.volumeMounts.findIndex((m) => m.name === name);
  if (index === -1) return undefined;
  return { mountIndex: index, file: image.slice(slash + 1) };
}

function listFiles(files: string[]): string {
  const shown = files.slice(0, 5).join(', ');
  return files.length > 5 ? `${shown}, ...` : shown;
}

/**
 * Finds the script an image names: the single file of the volumeMount whose
 * name is the image, or `<mount>/<file>`. An image that names no mount means
 * "no script". Pure.
 */
export function resolveScript(
  container: Pick<Container__Output, 'image' | 'volumeMounts'>,
  mounts: readonly MountContent[],
  field: string,
): ScriptResolution {
  const named = mountNamedByImage(container);
  if (!named) return { kind: 'none' };
  const mount = mounts[named.mountIndex];
  if (!mount) return { kind: 'none' };
  const where = `volume "${mount.volumeName}" mounted at "${mount.mountPath || '.'}"`;
  if (named.file === undefined) {
    if (mount.kind === 'emptyDir') {
      return {
        kind: 'error',
        reason: 'readDefaultVolDirError',
        message: `${field}.image "${container.image}": ${where} is an emptyDir and holds no script yet; set image to "${mount.volumeName}/<file>" for a file another container writes there`,
      };
    }
    if (mount.files.length === 1)
      return { kind: 'script', path: joinRelative(mount.mountPath, mount.files[0]!) };
    if (mount.files.length === 0) {
      return {
        kind: 'error',
        reason: 'readDefaultVolDirError',
        message: `${field}.image "${container.image}": ${where} holds no file; add the script to the ${mount.volumeName} volume`,
      };
    }
    const example = `${mount.volumeName}/${[...mount.files].sort()[0]}`;
    return {
      kind: 'error',
      reason: 'readDefaultVolDirError',
      message: `${field}.image "${container.image}": ${where} holds ${mount.files.length} files (${listFiles([...mount.files].sort())}); set image to "${mount.volumeName}/<file>", e.g. "${example}"`,
    };
  }
  let file: string;
  try {
    file = normalizeUserPath(named.file, `${field}.image`, { reroot: false });
  } catch (err) {
    if (err instanceof UnsafePathError)
      return { kind: 'error', reason: 'readDefaultVolDirError', message: err.message };
    throw err;
  }
  if (file === '') {
    return {
      kind: 'error',
      reason: 'readDefaultVolDirError',
      message: `${field}.image "${container.image}": names no file`,
    };
  }
  if (mount.kind === 'data' && !mount.files.includes(file)) {
    return {
      kind: 'error',
      reason: 'readDefaultVolDirError',
      message: `${field}.image "${container.image}": ${where} has no file "${file}"; its files are: ${listFiles([...mount.files].sort()) || 'none'}`,
    };
  }
  return { kind: 'script', path: joinRelative(mount.mountPath, file) };
}
