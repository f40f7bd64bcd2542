import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isDnsLabel } from '../pods/pod-spec-validation.js';
import { errnoCode } from '../../common/errors.js';
import { DirHandle, withDirBeneath } from './dir-handle.js';
import { removeTree } from './remove-tree.js';

/** `.<pod>.stale-<ms>`: an older directory of the same pod name, moved aside for a new pod. */
const STALE_NAME = /^\..+\.stale-\d+$/;

/*
 * A pod directory is `<root>/<namespace>/<pod>`. Everything here works
 * through a DirHandle on the namespace directory, opened below the root
 * with O_NOFOLLOW, and removes trees without following a symlink (see
 * removeTree), so a pod that replaced a directory by a link to elsewhere
 * cannot make the runner move or delete anything outside the root.
 */

/** The root (trusted as configured) and the namespace directory name of a pod directory. */
function split(podDir: string): { root: string; namespace: string; name: string } {
  const nsDir = path.dirname(podDir);
  return { root: path.dirname(nsDir), namespace: path.basename(nsDir), name: path.basename(podDir) };
}

function openNamespace(podDir: string): DirHandle | undefined {
  const { root, namespace } = split(podDir);
  try {
    return DirHandle.openBeneath(root, namespace);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Moves an existing pod directory (or whatever entry has its name) aside as
 * `.<pod>.stale-<ms>` next to it, so a new pod of the same name starts
 * clean; returns the new path, or undefined when there was nothing to move.
 * Blocking.
 */
export function moveAside(podDir: string, nowMs: number): string | undefined {
  const ns = openNamespace(podDir);
  if (!ns) return undefined;
  try {
    const { name } = split(podDir);
    if (ns.lstat(name) === undefined) return undefined;
    const aside = `.${name}.stale-${nowMs}`;
    ns.rename(name, aside);
    return ns.pathOf(aside);
  } finally {
    ns.close();
  }
}

/**
 * Removes a directory moved aside by moveAside (a sibling of the pod
 * directories), never following a link out. Asynchronous.
 */
export async function removeMovedAside(aside: string): Promise<void> {
  const ns = openNamespace(aside);
  if (!ns) return;
  try {
    await removeTree(ns, path.basename(aside));
  } finally {
    ns.close();
  }
}

/**
 * Removes a pod directory, never following a link out, then the namespace
 * directory if that left it empty (rmdir refuses a directory that is not).
 * Resolves once done; a large tree is removed in slices (removeTree), so
 * removing many pods' files does not hold up the event loop.
 */
export async function removePodDirectory(podDir: string): Promise<void> {
  const ns = openNamespace(podDir);
  if (!ns) return;
  try {
    // A directory (else removeTree's first unlink would fail with EISDIR); a link in its place is unlinked.
    await removeTree(ns, split(podDir).name, true);
  } finally {
    ns.close();
  }
  const { root, namespace } = split(podDir);
  try {
    withDirBeneath(root, '', (r) => removeIfEmpty(r, namespace));
  } catch {
    // the root itself is gone: nothing left to tidy
  }
}

function removeIfEmpty(parent: DirHandle, name: string): void {
  const st = parent.lstat(name);
  if (!st?.isDirectory()) return;
  try {
    // Fails on a directory that is not empty.
    parent.rmdir(name);
  } catch {
    // not empty, or gone
  }
}

/**
 * Removes every `.<pod>.stale-<ms>` directory in the namespace directories
 * (DNS-label names) under rootDir, and a namespace directory this leaves
 * empty: leftovers of a runner that stopped before it removed what it had
 * moved aside (see PodManager). Asynchronous and best effort; returns what
 * it removed.
 */
export async function sweepStaleDirectories(rootDir: string): Promise<string[]> {
  const removed: string[] = [];
  let root: DirHandle;
  try {
    root = DirHandle.openAnchor(rootDir);
  } catch {
    return removed;
  }
  try {
    let namespaces;
    try {
      namespaces = await readdir(root.procPath, { withFileTypes: true });
    } catch {
      return removed;
    }
    for (const entry of namespaces) {
      if (!entry.isDirectory() || !isDnsLabel(entry.name)) continue;
      let ns: DirHandle;
      try {
        ns = root.openDir(entry.name);
      } catch {
        continue;
      }
      try {
        let entries;
        try {
          entries = await readdir(ns.procPath, { withFileTypes: true });
        } catch {
          continue;
        }
        const stale = entries.filter((e) => e.isDirectory() && STALE_NAME.test(e.name));
        for (const e of stale) {
          await removeTree(ns, e.name, true);
          removed.push(path.join(rootDir, entry.name, e.name));
        }
        if (stale.length > 0) removeIfEmpty(root, entry.name);
      } finally {
        ns.close();
      }
    }
  } finally {
    root.close();
  }
  return removed;
}
