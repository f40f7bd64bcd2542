import type { Container__Output } from '../../generated/vkcmd/runner/v1/Container.js';
import type { DataVolume__Output } from '../../generated/vkcmd/runner/v1/DataVolume.js';
import type { PodSpec__Output } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { containerRelDir, isReservedContainerEntry } from './container-dir.js';
import { checkPathLength, joinRelative, normalizeUserPath, UnsafePathError } from './safe-path.js';

/** Default mode of configMap and secret files, as in Kubernetes. */
export const DEFAULT_FILE_MODE = 0o644;

export interface PlannedFile {
  /** Relative to the pod directory. */
  path: string;
  data: Buffer;
  mode: number;
}

/** What one volumeMount of a container provides, for script resolution. */
export type MountContent =
  | { kind: 'data'; volumeName: string; mountPath: string; files: string[] }
  | { kind: 'emptyDir'; volumeName: string; mountPath: string };

/** Everything to create in a pod directory, checked for escapes and collisions before any write. */
export interface VolumePlan {
  dirs: string[];
  files: PlannedFile[];
  symlinks: Array<{ path: string; target: string }>;
  /** Per container name, one entry per volumeMount (same order). Paths relative to the container directory. */
  mounts: Map<string, MountContent[]>;
  /** Per container name, the working directory relative to the container directory. */
  workingDirs: Map<string, string>;
}

type EntryKind = 'dir' | 'file' | 'symlink';

class LayoutIndex {
  private readonly entries = new Map<string, EntryKind>();

  add(entryPath: string, kind: EntryKind, field: string): void {
    const parts = entryPath.split('/');
    for (let i = 1; i < parts.length; i++) {
      const ancestor = parts.slice(0, i).join('/');
      const existing = this.entries.get(ancestor);
      if (existing === 'file' || existing === 'symlink') {
        throw new UnsafePathError(
          field,
          `"${entryPath}" would be created inside "${ancestor}", which is a ${existing === 'file' ? 'file' : 'volume mount'}`,
        );
      }
      if (!existing) this.entries.set(ancestor, 'dir');
    }
    const existing = this.entries.get(entryPath);
    if (existing && !(existing === 'dir' && kind === 'dir')) {
      throw new UnsafePathError(field, `"${entryPath}" collides with another volume's file or mount`);
    }
    if (kind !== 'dir') {
      const prefix = `${entryPath}/`;
      for (const key of this.entries.keys()) {
        if (key.startsWith(prefix)) {
          throw new UnsafePathError(field, `"${entryPath}" would hide "${key}" of another volume or mount`);
        }
      }
    }
    this.entries.set(entryPath, kind);
  }
}

function dataFiles(
  data: DataVolume__Output,
  field: string,
): Array<{ path: string; data: Buffer; mode: number }> {
  const defaultMode = data.defaultMode ?? DEFAULT_FILE_MODE;
  if (data.items.length > 0) {
    return data.items.map((item, j) => ({
      path: normalizeUserPath(item.path, `${field}.items[${j}].path`, { reroot: false }),
      data: data.data[item.key] ?? Buffer.alloc(0),
      mode: item.mode ?? defaultMode,
    }));
  }
  return Object.keys(data.data)
    .sort()
    .map((key) => {
      const keyField = `${field}.data[${JSON.stringify(key)}]`;
      if (key.includes('/')) throw new UnsafePathError(keyField, 'a key must be a file name, not a path');
      const normal = normalizeUserPath(key, keyField, { reroot: false });
      if (normal === '') throw new UnsafePathError(keyField, 'a key must be a file name');
      return { path: normal, data: data.data[key]!, mode: defaultMode };
    });
}

function checkReserved(relToContainer: string, field: string): void {
  const first = relToContainer.split('/')[0] ?? '';
  if (isReservedContainerEntry(first)) {
    throw new UnsafePathError(
      field,
      `"${relToContainer}" would overwrite the runner's file "${first}"; pick another mountPath`,
    );
  }
}

function planContainerMounts(
  spec: PodSpec__Output,
  container: Container__Output,
  field: string,
  podDir: string,
  layout: LayoutIndex,
  plan: VolumePlan,
): void {
  const cdir = containerRelDir(container.name);
  const contents: MountContent[] = [];
  const emptyDirMounts: string[] = [];
  container.volumeMounts.forEach((mount, i) => {
    const mfield = `${field}.volumeMounts[${i}]`;
    const volume = spec.volumes.find((v) => v.name === mount.name)!;
    const mountPath = normalizeUserPath(mount.mountPath, `${mfield}.mountPath`, { reroot: true });
    const subPath = mount.subPath
      ? normalizeUserPath(mount.subPath, `${mfield}.subPath`, { reroot: false })
      : '';
    if (volume.source === 'emptyDir') {
      if (mountPath === '') {
        throw new UnsafePathError(
          `${mfield}.mountPath`,
          'an emptyDir cannot be mounted at the container directory itself',
        );
      }
      checkReserved(mountPath, `${mfield}.mountPath`);
      const target = joinRelative('volumes', volume.name, subPath);
      const link = joinRelative(cdir, mountPath);
      checkPathLength(podDir, link, `${mfield}.mountPath`);
      checkPathLength(podDir, target, `${mfield}.subPath`);
      layout.add(target, 'dir', `${mfield}.subPath`);
      plan.dirs.push(target);
      layout.add(link, 'symlink', `${mfield}.mountPath`);
      const linkDir = link.split('/').slice(0, -1).join('/');
      const relTarget =
        linkDir
          .split('/')
          .map(() => '..')
          .join('/') +
        '/' +
        target;
      plan.symlinks.push({ path: link, target: relTarget });
      emptyDirMounts.push(mountPath);
      contents.push({ kind: 'emptyDir', volumeName: volume.name, mountPath });
      return;
    }
    const data = (volume.source === 'configMap' ? volume.configMap : volume.secret)!;
    const vfield = `pod.volumes[${spec.volumes.indexOf(volume)}].${volume.source}`;
    let files = dataFiles(data, vfield);
    if (subPath !== '') {
      const exact = files.filter((f) => f.path === subPath);
      files =
        exact.length > 0
          ? exact.map((f) => ({ ...f, path: '' }))
          : files
              .filter((f) => f.path.startsWith(`${subPath}/`))
              .map((f) => ({ ...f, path: f.path.slice(subPath.length + 1) }));
      if (files.length === 0) {
        throw new UnsafePathError(
          `${mfield}.subPath`,
          `"${subPath}" is not a file or directory of volume "${volume.name}"`,
        );
      }
    }
    const singleFile = files.length === 1 && files[0]!.path === '';
    if (!singleFile) {
      layout.add(joinRelative(cdir, mountPath), 'dir', `${mfield}.mountPath`);
      plan.dirs.push(joinRelative(cdir, mountPath));
    }
    for (const file of files) {
      const relToContainer = joinRelative(mountPath, file.path);
      if (relToContainer === '')
        throw new UnsafePathError(`${mfield}.mountPath`, 'a file cannot replace the container directory');
      checkReserved(relToContainer, `${mfield}.mountPath`);
      const full = joinRelative(cdir, relToContainer);
      checkPathLength(podDir, full, `${mfield}.mountPath`);
      layout.add(full, 'file', `${mfield}.mountPath`);
      plan.files.push({ path: full, data: file.data, mode: file.mode });
    }
    contents.push({ kind: 'data', volumeName: volume.name, mountPath, files: files.map((f) => f.path) });
  });

  const workingDir = container.workingDir
    ? normalizeUserPath(container.workingDir, `${field}.workingDir`, { reroot: true })
    : '';
  if (workingDir !== '') {
    checkPathLength(podDir, joinRelative(cdir, workingDir), `${field}.workingDir`);
    const insideEmptyDir = emptyDirMounts.some((m) => workingDir === m || workingDir.startsWith(`${m}/`));
    if (!insideEmptyDir) {
      checkReserved(workingDir, `${field}.workingDir`);
      layout.add(joinRelative(cdir, workingDir), 'dir', `${field}.workingDir`);
      plan.dirs.push(joinRelative(cdir, workingDir));
    }
  }
  plan.mounts.set(container.name, contents);
  plan.workingDirs.set(container.name, workingDir);
}

/**
 * Plans every directory, file and emptyDir symlink of a pod under `podDir`
 * (absolute, used only for length checks). Pure: nothing is touched. Throws
 * UnsafePathError naming the field for a path that escapes the container
 * directory, a NUL byte, an over-long name, a collision or a reserved name.
 */
export function planVolumes(spec: PodSpec__Output, podDir: string): VolumePlan {
  const plan: VolumePlan = { dirs: [], files: [], symlinks: [], mounts: new Map(), workingDirs: new Map() };
  const layout = new LayoutIndex();
  const all: Array<[Container__Output, string]> = [
    ...spec.initContainers.map((c, i): [Container__Output, string] => [c, `pod.initContainers[${i}]`]),
    ...spec.containers.map((c, i): [Container__Output, string] => [c, `pod.containers[${i}]`]),
  ];
  for (const [container, field] of all) {
    const cdir = containerRelDir(container.name);
    checkPathLength(podDir, cdir, `${field}.name`);
    layout.add(cdir, 'dir', `${field}.name`);
    plan.dirs.push(cdir);
    planContainerMounts(spec, container, field, podDir, layout, plan);
  }
  return plan;
}
