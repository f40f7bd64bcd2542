/**
 * Resolves true once `condition()` holds, re-checking whenever `subscribe`'s
 * source reports a change (no polling), or false after `timeoutMs`. Rejects if
 * `signal` aborts. `onCheck` runs after every check, e.g. to move a progress bar.
 */
export function waitFor(
  condition: () => boolean,
  subscribe: (listener: () => void) => () => void,
  timeoutMs: number,
  options: { signal?: AbortSignal; onCheck?: () => void } = {},
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let done = false;
    const unsubscribers: Array<() => void> = [];
    const finish = (result: boolean | Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const u of unsubscribers) u();
      options.signal?.removeEventListener('abort', onAbort);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const check = (): void => {
      if (done) return;
      options.onCheck?.();
      if (condition()) finish(true);
    };
    const onAbort = (): void => finish(options.signal!.reason as Error);
    const timer = setTimeout(() => finish(false), timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribers.push(subscribe(check));
    check();
  });
}
