import { lstatSync, readdirSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';

/*
 * A hostile neighbour for the symlink-swap tests, run as its own process:
 * `node dir-swapper.js <outside> <namespace dir>`. As fast as it can, it
 * swaps every pod directory, `containers` directory and container directory
 * under the namespace directory for a symlink to <outside> (the real one is
 * kept as `<name>.swap`) and back. On SIGTERM it puts every real directory
 * back and prints how many swaps it made, then (JSON) the moved directories
 * it could not put back because a new directory had taken the name.
 */

const [outside, nsDir] = process.argv.slice(2) as [string, string];
const swapped = new Set<string>();
const stranded = new Set<string>();
let swaps = 0;
let stopping = false;

/** Targets at one depth: 0 pod directories, 1 `containers`, 2 container directories. */
function listTargets(depth: number): string[] {
  const out: string[] = [];
  const dirs = (dir: string): string[] => {
    try {
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.endsWith('.swap') && !e.name.startsWith('.'))
        .map((e) => path.join(dir, e.name));
    } catch {
      return [];
    }
  };
  for (const pod of dirs(nsDir)) {
    const containers = path.join(pod, 'containers');
    if (depth === 0) out.push(pod);
    else if (depth === 1) out.push(containers);
    else out.push(...dirs(containers));
  }
  return out;
}

function swap(target: string): void {
  try {
    renameSync(target, `${target}.swap`);
  } catch {
    return;
  }
  try {
    symlinkSync(outside, target);
  } catch {
    // the runner (or the pod) put something there meanwhile
  }
  swapped.add(target);
  swaps++;
}

function restore(target: string): void {
  try {
    if (lstatSync(target).isSymbolicLink()) unlinkSync(target);
  } catch {
    // gone
  }
  try {
    renameSync(`${target}.swap`, target);
  } catch (err) {
    // ENOENT: removed with its pod. Otherwise the runner made a new directory at the name
    // (it clears an entry in a new pod's way), and the moved one stays behind.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') stranded.add(`${target}.swap`);
  }
  swapped.delete(target);
}

let pass = 0;
function round(): void {
  if (stopping) return;
  for (let i = 0; i < 20; i++) {
    // Container directories most often: they are what a start writes in.
    const depth = [2, 2, 1, 0][pass++ % 4]!;
    for (const target of listTargets(depth)) swap(target);
    for (const target of [...swapped]) restore(target);
  }
  setImmediate(round);
}

process.on('SIGTERM', () => {
  stopping = true;
  for (const target of [...swapped]) restore(target);
  process.stdout.write(`${swaps}\n${JSON.stringify([...stranded])}\n`, () => process.exit(0));
});
process.stdout.write('ready\n');
round();
