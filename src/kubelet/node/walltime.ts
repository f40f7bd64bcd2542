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
export function walltimeState(walltimeSeconds: number, startMs: number, nowMs: number): WalltimeState {
  if (walltimeSeconds <= 0) return { aliveSeconds: undefined, expired: false, nextRefreshMs: undefined };
  const remainingMs = startMs + walltimeSeconds * 1000 - nowMs;
  if (remainingMs <= 0) return { aliveSeconds: 0, expired: true, nextRefreshMs: undefined };
  const periodMs = remainingMs > 120_000 ? 60_000 : 10_000;
  // Refresh when the floored value will have dropped, never later than the expiry.
  const nextRefreshMs = Math.max(1, Math.min(periodMs, remainingMs));
  return { aliveSeconds: Math.floor(remainingMs / 1000), expired: false, nextRefreshMs };
}
