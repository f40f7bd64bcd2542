import type { Logger } from '../../common/logger.js';
import type { RunFileState } from '../files/run-file.js';
import type { ProcEntry } from '../process/process-table.js';
import type { ContainerRecord, PodRecord } from './pod-record.js';

/*
 * Exactly-once starts. Before a run is spawned the runner saves its intent:
 * the container, `launching`, and a launch token that the process group
 * carries in its environment and that names the run file the wrapper creates
 * (exclusively) before it runs anything (see files/container-dir.ts). A
 * runner that finds a start whose outcome its record does not hold (it died,
 * or its launcher did, between saving the intent and saving the run) settles
 * it from evidence, in this order: the run file says the run ended -> that
 * exit code; no run file -> claim it (then the run can never begin) and start
 * again; the run began -> a live process carrying the token -> adopt its
 * group; none -> read the run file once more (it may have ended meanwhile),
 * else the run ended unseen (137, as for any group that vanished).
 * resolveStart() is that decision, pure; resolveStarts() gathers the
 * evidence for many starts with one /proc sweep.
 */

/** A live group that carries a run's launch token. */
export interface LiveRun {
  pgid: number;
  /** The leader's start time; 0 when the leader is gone and only its group is left. */
  leaderStartTicks: number;
}

/** What has been observed about one unsettled start, in the order it was observed. */
export interface StartEvidence {
  /** The run file, read first. */
  run: RunFileState;
  /** Claiming the run file, when it was absent: true when this runner created it. */
  claimed?: boolean;
  /** The run file read again after a claim failed (the run began in between). */
  runAfterClaim?: RunFileState;
  /** The environ sweep, taken after the run was seen to begin: its group, or null for none. */
  live?: LiveRun | null;
  /** The run file read again after the sweep found no process. */
  runAfterSweep?: RunFileState;
}

/** The next piece of evidence to gather, or how the start ended. */
export type StartResolution =
  | { kind: 'need-claim' }
  | { kind: 'need-reread-after-claim' }
  | { kind: 'need-sweep' }
  | { kind: 'need-reread-after-sweep' }
  | { kind: 'adopt'; pgid: number; leaderStartTicks: number; startedAtMs: number }
  | { kind: 'exited'; exitCode: number; startedAtMs: number; finishedAtMs: number }
  | { kind: 'vanished'; startedAtMs: number }
  | { kind: 'start-again' };

export type StartNeed = Extract<StartResolution, { kind: `need-${string}` }>['kind'];
export type StartOutcome = Exclude<StartResolution, { kind: StartNeed }>;

/** The decision for one start from what has been observed so far. Pure. */
export function resolveStart(e: StartEvidence): StartResolution {
  let begun: RunFileState = e.run;
  if (begun.state === 'absent') {
    if (e.claimed === undefined) return { kind: 'need-claim' };
    if (e.claimed) return { kind: 'start-again' };
    if (e.runAfterClaim === undefined) return { kind: 'need-reread-after-claim' };
    begun = e.runAfterClaim;
    // Only a wrapper creates the file once the runner looked; gone again means it began.
    if (begun.state === 'absent') begun = { state: 'began', pgid: 0, beganAtMs: 0 };
  }
  if (begun.state === 'exited') return exited(begun);
  if (begun.state === 'claimed') return { kind: 'start-again' };
  if (e.live === undefined) return { kind: 'need-sweep' };
  if (e.live !== null) return { kind: 'adopt', ...e.live, startedAtMs: begun.beganAtMs };
  if (e.runAfterSweep === undefined) return { kind: 'need-reread-after-sweep' };
  if (e.runAfterSweep.state === 'exited') return exited(e.runAfterSweep);
  return { kind: 'vanished', startedAtMs: begun.beganAtMs };
}

function exited(run: Extract<RunFileState, { state: 'exited' }>): StartOutcome {
  return { kind: 'exited', exitCode: run.exitCode, startedAtMs: run.beganAtMs, finishedAtMs: run.endedAtMs };
}

/**
 * The group of a run from the live processes carrying its token. `pgid` is
 * the wrapper's pid from the run file: the run lives while a process of that
 * group does (processes that left it, setsid daemons, are strays, not the
 * run). When the file did not have it yet, the group of the earliest started
 * process (the wrapper, else its first child). Pure; null for none.
 */
export function liveRunOf(entries: readonly ProcEntry[], pgid: number): LiveRun | null {
  const members = pgid > 0 ? entries.filter((e) => e.pgrp === pgid) : entries;
  if (members.length === 0) return null;
  const first = members.reduce((a, b) => (b.startTicks < a.startTicks ? b : a));
  const leader = members.find((e) => e.pid === first.pgrp);
  return { pgid: first.pgrp, leaderStartTicks: leader ? leader.startTicks : 0 };
}

/** The wrapper's pid as the run file that showed the run begun recorded it (0: not yet written). */
function beganPgid(e: StartEvidence): number {
  const run = e.run.state === 'absent' ? e.runAfterClaim : e.run;
  return run?.state === 'began' ? run.pgid : 0;
}

/** The IO resolveStarts() needs. */
export interface StartEvidenceSource {
  readRun(dir: string, token: string): RunFileState;
  /** See claimRunFile. */
  claimRun(dir: string, token: string): boolean;
  /** One environ sweep: the live processes carrying each token asked about. */
  sweep(tokens: readonly string[]): Map<string, readonly ProcEntry[]>;
}

/**
 * Settles many starts, gathering evidence in rounds so that every start's
 * sweep is taken after its own run file was read, with one sweep per round
 * (at most two rounds need one). Returns each start's outcome by index.
 */
export function resolveStarts(
  starts: ReadonlyArray<{ dir: string; token: string }>,
  io: StartEvidenceSource,
): StartOutcome[] {
  const evidence: StartEvidence[] = starts.map((s) => ({ run: io.readRun(s.dir, s.token) }));
  const out: Array<StartOutcome | undefined> = starts.map(() => undefined);
  for (let round = 0; out.some((o) => o === undefined); round++) {
    if (round > 8) throw new Error('start resolution did not settle');
    const sweepFor: Array<{ i: number; pgid: number }> = [];
    starts.forEach((s, i) => {
      if (out[i] !== undefined) return;
      const e = evidence[i]!;
      const r = resolveStart(e);
      switch (r.kind) {
        case 'need-claim':
          e.claimed = io.claimRun(s.dir, s.token);
          return;
        case 'need-reread-after-claim':
          e.runAfterClaim = io.readRun(s.dir, s.token);
          return;
        case 'need-sweep':
          sweepFor.push({ i, pgid: beganPgid(e) });
          return;
        case 'need-reread-after-sweep':
          e.runAfterSweep = io.readRun(s.dir, s.token);
          return;
        default:
          out[i] = r;
      }
    });
    if (sweepFor.length > 0) {
      const found = io.sweep(sweepFor.map(({ i }) => starts[i]!.token));
      for (const { i, pgid } of sweepFor) {
        evidence[i]!.live = liveRunOf(found.get(starts[i]!.token) ?? [], pgid);
      }
    }
  }
  return out as StartOutcome[];
}

/**
 * How every start of these records that was saved as `launching` ended,
 * from evidence. A waiting container that holds the token of a run it never
 * recorded (not in back-off) counts as such a start too: a record cut short
 * that way must not make its command run twice either. On failure to gather
 * evidence nothing is settled (and so nothing starts again): the starts are
 * left to the next runner.
 */
export function settleUnrecordedStarts(
  records: readonly PodRecord[],
  io: StartEvidenceSource,
  log: Logger,
): Map<ContainerRecord, StartOutcome> {
  const unsettled = (c: ContainerRecord): boolean =>
    !!c.launchToken && (c.launching === true || (c.state.state === 'waiting' && c.restartAtMs === 0));
  const open = records.flatMap((r) => r.containers.filter(unsettled));
  const out = new Map<ContainerRecord, StartOutcome>();
  if (open.length === 0) return out;
  let outcomes: StartOutcome[];
  try {
    outcomes = resolveStarts(
      open.map((c) => ({ dir: c.dir, token: c.launchToken! })),
      io,
    );
  } catch (err) {
    log.error({ err, starts: open.length }, 'Cannot settle the starts the last runner did not record');
    for (const c of open) c.launching = true;
    return out;
  }
  open.forEach((c, i) => out.set(c, outcomes[i]!));
  log.info({ starts: open.length }, 'Settled the starts the last runner did not record');
  return out;
}
