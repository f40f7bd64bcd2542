import type { Logger } from '../../common/logger.js';
import { crashPoint } from '../crash-points.js';
import { errorMessage } from '../../common/errors.js';
import type { RunFileState } from '../files/run-file.js';
import { VANISHED_DETAIL, type RunOutcome } from './container-status.js';
import type { ContainerRecord } from './pod-record.js';
import type { StartOutcome } from './start-resolution.js';

/** The container directory's files a pod's state machine reads and writes (files/container-dir.ts). */
export interface ContainerFiles {
  stderrInfo: (containerDir: string) => { sizeBytes: number } | { error: string };
  readExitCode: (containerDir: string) => number | undefined;
  readRun: (containerDir: string, launchToken: string) => RunFileState;
  /** Throws on failure. */
  removeRunFile: (containerDir: string, launchToken: string) => void;
  /** Throws on failure. */
  writePgidFile: (containerDir: string, pgid: number) => void;
}

/** What the functions below use besides the record. */
export interface RunIO {
  files: ContainerFiles;
  /** A fresh random launch token. */
  newLaunchToken: () => string;
  bootId: string;
  log: Logger;
}

/** A run that ended, and when. */
export interface RunEnd {
  outcome: RunOutcome;
  finishedAtMs: number;
}

/*
 * One run of a container, the parts that touch its files: the intent saved
 * before a start, the status an adopted run left, and how a start the last
 * runner left unsettled is applied. The pod's state machine (pod-runtime.ts)
 * decides what follows (restart, deletion).
 */

/**
 * Saves the intent to start (a fresh launch token, `launching`) with
 * `persist` before any process exists, so a runner that dies from here on
 * settles this start from evidence instead of running it again
 * (start-resolution.ts). The previous run's file goes first. When the
 * intent cannot be saved nothing may start: the run fails instead.
 */
export function recordIntent(
  c: ContainerRecord,
  io: RunIO,
  persist: () => void,
  where: object,
  nowMs: number,
): { token: string } | RunEnd {
  const r = recordIntents([c], io, persist, () => where, nowMs);
  return 'tokens' in r ? { token: r.tokens[0]! } : r;
}

/**
 * recordIntent for a batch of one pod's containers: one `persist` saves
 * every intent, before any of them is requested. When it fails none may
 * start: each fails with the returned end (their `launching` cleared).
 */
export function recordIntents(
  cs: readonly ContainerRecord[],
  io: RunIO,
  persist: () => void,
  whereOf: (c: ContainerRecord) => object,
  nowMs: number,
): { tokens: string[] } | RunEnd {
  const tokens: string[] = [];
  for (const c of cs) {
    if (c.launchToken) {
      try {
        io.files.removeRunFile(c.dir, c.launchToken);
      } catch (err) {
        io.log.warn({ ...whereOf(c), err }, "Failed to remove the last run's file");
      }
    }
    const token = io.newLaunchToken();
    c.launchToken = token;
    c.launching = true;
    tokens.push(token);
  }
  crashPoint('start.before-intent-save');
  try {
    persist();
  } catch (err) {
    for (const c of cs) c.launching = false;
    const message = `cannot record the start in the state directory: ${errorMessage(err)}`;
    return { outcome: { kind: 'setupFailed', reason: 'cmdStartError', message }, finishedAtMs: nowMs };
  }
  crashPoint('start.after-intent-save');
  return { tokens };
}

/** The status a run's wrapper recorded: in its run file, else in the exitcode file (runs of older runners). */
export function exitCodeOf(c: ContainerRecord, files: ContainerFiles): number | undefined {
  if (c.launchToken) {
    const run = files.readRun(c.dir, c.launchToken);
    if (run.state === 'exited') return run.exitCode;
  }
  return files.readExitCode(c.dir);
}

/**
 * Applies how a start whose outcome was never recorded ended: a run that
 * never began stays waiting to be started again (its run file is claimed,
 * so it can never begin now, and its token is dropped); a live one is
 * recorded running, its pgid file written first, for the caller to adopt;
 * one that ended is recorded running and returned as ended, with its code
 * or as vanished (137).
 */
export function settleStart(
  c: ContainerRecord,
  outcome: StartOutcome,
  io: RunIO,
  where: object,
  nowMs: number,
): RunEnd | undefined {
  c.launching = false;
  const at = { ...where, launchToken: c.launchToken };
  if (outcome.kind === 'start-again') {
    c.launchToken = '';
    io.log.info(at, 'A start the last runner asked for never began; starting it');
    return undefined;
  }
  c.state = {
    state: 'running',
    running: { startedAtMs: outcome.startedAtMs > 0 ? outcome.startedAtMs : nowMs },
  };
  c.bootId = io.bootId;
  if (outcome.kind === 'adopt') {
    try {
      io.files.writePgidFile(c.dir, outcome.pgid);
    } catch (err) {
      io.log.warn({ ...at, err }, 'Failed to write the pgid file of a found run');
    }
    c.pgid = outcome.pgid;
    c.leaderStartTicks = outcome.leaderStartTicks;
    io.log.info({ ...at, pgid: c.pgid }, 'Found the run of a start the last runner did not record');
    return undefined;
  }
  // Which group it was is not known; the pgid file may name an earlier run.
  c.pgid = 0;
  c.leaderStartTicks = 0;
  if (outcome.kind === 'exited') {
    const finishedAtMs = outcome.finishedAtMs > 0 ? outcome.finishedAtMs : nowMs;
    const stderr = io.files.stderrInfo(c.dir);
    return { outcome: { kind: 'exited', exitCode: outcome.exitCode, stderr }, finishedAtMs };
  }
  return { outcome: { kind: 'vanished', detail: VANISHED_DETAIL }, finishedAtMs: nowMs };
}
