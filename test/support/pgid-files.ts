import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Every process group a runner root dir records: the `pgid` files under
 * <root>/<ns>/<pod>/containers/<c>/. Tests use it to prove that no process
 * of any pod is left behind.
 */
export function pgidsUnder(rootDir: string): number[] {
  const found: number[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (entry.name === 'pgid') {
        const pgid = Number.parseInt(readFileSync(full, 'utf8').trim(), 10);
        if (pgid > 1) found.push(pgid);
      }
    }
  };
  walk(rootDir, 0);
  return found;
}
