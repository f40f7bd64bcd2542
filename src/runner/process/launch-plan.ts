import type { EnvEntry } from './command-line.js';
import type { LeaderExits } from './group-monitor.js';

/** How to start one run of a container; persisted so restarts and re-adoption need no volume data. */
export interface LaunchPlan {
  argv: string[];
  /** Absolute working directory. */
  cwd: string;
  /** The pod's env followed by the identity variables; the runner's environment is added at each start. */
  podEnv: EnvEntry[];
  /** Keep stdin open: the container reads a FIFO that Attach writes (see files/container-stdin.ts). */
  stdin?: boolean;
  /** Close stdin after the first attach session. */
  stdinOnce?: boolean;
  /** Run on a pseudo-terminal (the PTY helper); its output goes to the stdout file. */
  tty?: boolean;
  /**
   * Words put before the resolved program (setpriv and its options, ending in `--`), so only the
   * program runs with the container's identity and capabilities, never the wrapper: security/launch-prefix.ts.
   */
  prefix?: string[];
  /** Owner of the run's log files when the program runs as another user (fchown on the handles). */
  fileOwner?: { uid: number; gid: number };
}

/** A started run. The caller watches `child` for the leader's exit (told by the runner's child or the launcher). */
export interface StartedRun {
  pgid: number;
  child: LeaderExits;
  startedAtMs: number;
  /** Leader start time in clock ticks since boot, to tell the group from a later pid reuse. */
  leaderStartTicks: number;
}

/** Why a run could not be started: the seed's reasons for the launcher's failures (all exit code 1). */
export type LaunchFailureReason =
  'cmdStartError' | 'createStdoutFileError' | 'createStderrFileError' | 'getPgidError' | 'writePgidError';

/**
 * A start's result. `lost`: the launcher died with the start in flight, so
 * whether the run began is not known; the caller settles it from evidence
 * (start-resolution.ts) as a restarted runner would.
 */
export type LaunchResult =
  { ok: true; run: StartedRun } | { ok: false; reason: LaunchFailureReason; message: string; lost?: true };
