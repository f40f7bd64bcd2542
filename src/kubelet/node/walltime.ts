import { rfc3339, timeMs } from '../kube-time.js';

/**
 * Annotations the kubelet keeps on its Node so a restarted kubelet continues
 * the same countdown: the deadline (RFC 3339) and what it was derived from.
 */
export const WALLTIME_DEADLINE_ANNOTATION = 'vk-cmd.jiriaf.org/walltime-deadline';
export const WALLTIME_ORIGIN_ANNOTATION = 'vk-cmd.jiriaf.org/walltime-origin';

/** When the node's walltime ends, and where that came from. */
export interface WalltimeDeadline {
  deadlineMs: number;
  /** The value of the `jiriaf.walltime` label. */
  walltimeSeconds: number;
  /** `JIRIAF_WALLTIME=<seconds>` or `slurm-job=<id>`. */
  origin: string;
}

export interface DeadlineInputs {
  /** JIRIAF_WALLTIME (0 = unset). */
  walltimeSeconds: number;
  /** The runner's Slurm job end, when it runs inside an allocation. */
  slurm: { jobId: string; endMs: number } | undefined;
  /** Labels and annotations of the Node as the API has it (undefined when it does not exist yet). */
  existing: { labels?: Record<string, string>; annotations?: Record<string, string | null> } | undefined;
  nowMs: number;
}

/**
 * The walltime deadline. With JIRIAF_WALLTIME: the deadline an existing Node
 * carries for the same walltime, while it lies ahead (a kubelet restart keeps
 * counting); otherwise now + walltime (a new allocation, or one whose
 * deadline passed, starts afresh). Without it: the Slurm job's end, which the
 * runner reports and which may move (scontrol update); jiriaf.walltime is then
 * the time left when the job's deadline was first seen. Neither: none. Pure.
 */
export function resolveDeadline(inputs: DeadlineInputs): WalltimeDeadline | undefined {
  const annotations = inputs.existing?.annotations ?? {};
  const existingDeadlineMs = timeMs(annotations[WALLTIME_DEADLINE_ANNOTATION]);
  if (inputs.walltimeSeconds > 0) {
    const origin = `JIRIAF_WALLTIME=${inputs.walltimeSeconds}`;
    const keep =
      annotations[WALLTIME_ORIGIN_ANNOTATION] === origin &&
      existingDeadlineMs !== undefined &&
      existingDeadlineMs > inputs.nowMs;
    // Whole seconds, as the annotation stores them.
    const deadlineMs = keep
      ? existingDeadlineMs
      : Math.ceil((inputs.nowMs + inputs.walltimeSeconds * 1000) / 1000) * 1000;
    return { deadlineMs, walltimeSeconds: inputs.walltimeSeconds, origin };
  }
  const slurm = inputs.slurm;
  if (slurm && slurm.endMs > 0) {
    const origin = `slurm-job=${slurm.jobId}`;
    const label = Number(inputs.existing?.labels?.['jiriaf.walltime']);
    const sameJob =
      annotations[WALLTIME_ORIGIN_ANNOTATION] === origin && Number.isInteger(label) && label > 0;
    const walltimeSeconds = sameJob ? label : Math.max(1, Math.ceil((slurm.endMs - inputs.nowMs) / 1000));
    return { deadlineMs: slurm.endMs, walltimeSeconds, origin };
  }
  return undefined;
}

/** The Slurm job the runner reports (GetNodeInfo), if it runs inside an allocation whose end is known. */
export function slurmJob(
  info: { slurmJobId: string; slurmJobEndMs: number } | undefined,
): DeadlineInputs['slurm'] {
  return info && info.slurmJobEndMs > 0 ? { jobId: info.slurmJobId, endMs: info.slurmJobEndMs } : undefined;
}

/** The annotations recording a deadline; null removes stale ones when there is none. */
export function deadlineAnnotations(deadline: WalltimeDeadline | undefined): Record<string, string | null> {
  return {
    [WALLTIME_DEADLINE_ANNOTATION]: deadline ? rfc3339(deadline.deadlineMs) : null,
    [WALLTIME_ORIGIN_ANNOTATION]: deadline ? deadline.origin : null,
  };
}

/** Where a node stands against its walltime. */
export interface WalltimeState {
  /** Whole seconds left, floored; 0 once expired. Undefined without a walltime. */
  aliveSeconds: number | undefined;
  expired: boolean;
  /** Milliseconds until the next alivetime refresh is due; undefined when nothing more will change. */
  nextRefreshMs: number | undefined;
}

/**
 * The countdown of `jiriaf.alivetime`. Refreshes every 60 s while far away,
 * every 10 s in the last two minutes so the countdown stays visible, and lands
 * exactly on the expiry.
 */
export function walltimeState(
  deadline: Pick<WalltimeDeadline, 'deadlineMs'> | undefined,
  nowMs: number,
): WalltimeState {
  if (!deadline) return { aliveSeconds: undefined, expired: false, nextRefreshMs: undefined };
  const remainingMs = deadline.deadlineMs - nowMs;
  if (remainingMs <= 0) return { aliveSeconds: 0, expired: true, nextRefreshMs: undefined };
  const periodMs = remainingMs > 120_000 ? 60_000 : 10_000;
  // Refresh when the floored value will have dropped, never later than the expiry.
  const nextRefreshMs = Math.max(1, Math.min(periodMs, remainingMs));
  return { aliveSeconds: Math.floor(remainingMs / 1000), expired: false, nextRefreshMs };
}
