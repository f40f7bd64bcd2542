import { existsSync, renameSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { isDnsLabel } from '../pods/pod-spec-validation.js';

/** `.<pod>.stale-<ms>`: an older directory of the same pod name, moved aside for a new pod. */
const STALE_NAME = /^\..+\.stale-\d+$/;

/**
 * Moves an existing pod directory aside as `.<pod>.stale-<ms>` next to it,
 * so a new pod of the same name starts clean; returns the new path, or
 * undefined when there was nothing to move. Blocking.
 */
export function moveAside(podDir: string, nowMs: number): string | undefined {
  if (!existsSync(podDir)) return undefined;
  const aside = path.join(path.dirname(podDir), `.${path.basename(podDir)}.stale-${nowMs}`);
  renameSync(podDir, aside);
  return aside;
}

/**
 * Removes a pod directory, then the namespace directory if that left it
 * empty (rmdir refuses a directory that is not). Asynchronous, so removing
 * many pods' files does not hold up the event loop.
 */
export async function removePodDirectory(podDir: string): Promise<void> {
  await rm(podDir, { recursive: true, force: true });
  await rmdir(path.dirname(podDir)).catch(() => undefined);
}

/**
 * Removes every `.<pod>.stale-<ms>` directory in the namespace directories
 * (DNS-label names) under rootDir, and a namespace directory this leaves
 * empty: leftovers of a runner that stopped before it removed what it had
 * moved aside (see PodManager).
 * Asynchronous and best effort; returns what it removed.
 */
export async function sweepStaleDirectories(rootDir: string): Promise<string[]> {
  const removed: string[] = [];
  let namespaces;
  try {
    namespaces = await readdir(rootDir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const ns of namespaces) {
    if (!ns.isDirectory() || !isDnsLabel(ns.name)) continue;
    const nsDir = path.join(rootDir, ns.name);
    let entries;
    try {
      entries = await readdir(nsDir, { withFileTypes: true });
    } catch {
      continue;
    }
    const stale = entries.filter((e) => e.isDirectory() && STALE_NAME.test(e.name));
    for (const e of stale) {
      const dir = path.join(nsDir, e.name);
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    if (stale.length > 0) await rmdir(nsDir).catch(() => undefined);
  }
  return removed;
}
