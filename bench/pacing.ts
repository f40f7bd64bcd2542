/** Outcome of a batch of calls: how many failed, and the first few messages. */
export interface BatchOutcome {
  ok: number;
  failed: number;
  errors: string[];
}

export interface PacingClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: PacingClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Starts `call(i)` for i = 0..count-1 at `ratePerSecond` on a fixed schedule
 * (call i is due at start + i/rate, so a slow call never delays the next one)
 * and resolves when every call has settled. Rejects only when `signal` aborts.
 */
export async function paced(
  count: number,
  ratePerSecond: number,
  call: (i: number) => Promise<void>,
  options: { signal?: AbortSignal; clock?: PacingClock } = {},
): Promise<BatchOutcome> {
  const clock = options.clock ?? realClock;
  const outcome: BatchOutcome = { ok: 0, failed: 0, errors: [] };
  const pending: Array<Promise<void>> = [];
  const startMs = clock.now();
  for (let i = 0; i < count; i++) {
    const dueMs = startMs + (i * 1000) / ratePerSecond;
    const waitMs = dueMs - clock.now();
    if (waitMs > 0) await clock.sleep(waitMs, options.signal);
    options.signal?.throwIfAborted();
    pending.push(settle(call, i, outcome));
  }
  await Promise.all(pending);
  return outcome;
}

/**
 * Runs `call(i)` for i = 0..count-1 with at most `concurrency` in flight,
 * in index order, and resolves when all have settled. Rejects only when
 * `signal` aborts (calls in flight are left to finish on their own).
 */
export async function pooled(
  count: number,
  concurrency: number,
  call: (i: number) => Promise<void>,
  options: { signal?: AbortSignal } = {},
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { ok: 0, failed: 0, errors: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      options.signal?.throwIfAborted();
      const i = next++;
      await settle(call, i, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return outcome;
}

async function settle(call: (i: number) => Promise<void>, i: number, outcome: BatchOutcome): Promise<void> {
  try {
    await call(i);
    outcome.ok++;
  } catch (err) {
    outcome.failed++;
    if (outcome.errors.length < 5) outcome.errors.push((err as Error).message);
  }
}
