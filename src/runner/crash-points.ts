/*
 * Fault injection for tests. VK_CMD_TEST_CRASH_POINTS="name:count,..." makes
 * the runner kill itself with SIGKILL the count-th time it reaches the named
 * point, exactly as a `kill -9` landing there would. Unset (production), a
 * crash point costs one boolean test. Only tests set the variable; the names
 * below are the places in the start, exit and deletion paths where a runner
 * death has to be survived without running anything twice.
 */

export const CRASH_POINTS = [
  // Starting a run: the intent (token) is saved, the start sent to the launcher (not yet answered;
  // requests-in-flight: one more written while others are unanswered, their replies unread),
  // the group is spawned, its pgid file written, running saved.
  'start.before-intent-save',
  'start.after-intent-save',
  'start.after-request',
  'start.requests-in-flight',
  'start.after-spawn',
  'start.after-pgid-file',
  'start.before-running-save',
  // Any coalesced save of changed pods, and its publication on the watch; a save cut inside its
  // append to the pod's record file (half its line written).
  'flush.after-save',
  'save.inside-append',
  'flush.after-publish',
  // A group ended: before its terminated state is recorded.
  'exit.before-record',
  // Deletion: signals sent but not yet recorded; the state file removed but DELETED not yet sent.
  'delete.after-sigterm',
  'delete.after-sigkill',
  'delete.before-forget',
  'delete.after-forget',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The env variable tests set; the launcher reads the same one for its own points. */
export const CRASH_POINTS_VAR = 'VK_CMD_TEST_CRASH_POINTS';

/**
 * Parses `name:count,...` (count >= 1; a bare name means 1). Pure; throws on
 * a malformed entry. Names the runner does not know are ignored: a launcher
 * may have points of its own in the same variable.
 */
export function parseCrashPoints(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of (text ?? '').split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const [name, count = '1', ...rest] = trimmed.split(':');
    const n = Number(count);
    if (!name || rest.length > 0 || !Number.isInteger(n) || n < 1) {
      throw new Error(`${CRASH_POINTS_VAR}: "${trimmed}" is not name:count`);
    }
    out.set(name, n);
  }
  return out;
}

/** Remaining hits per armed point; empty unless a test set the variable. */
const armed = parseCrashPoints(process.env[CRASH_POINTS_VAR]);
const any = armed.size > 0;

/**
 * Kills this process with SIGKILL when `point` is reached for the armed
 * count-th time, after `beforeKill` (what a kill inside a step leaves done).
 */
export function crashPoint(point: CrashPoint, beforeKill?: () => void): void {
  if (!any) return;
  const left = armed.get(point);
  if (left === undefined) return;
  if (left > 1) {
    armed.set(point, left - 1);
    return;
  }
  beforeKill?.();
  process.kill(process.pid, 'SIGKILL');
}
