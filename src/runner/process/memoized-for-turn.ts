/**
 * `check` with its answers kept until the event loop's next turn (`defer`):
 * a batch of starts of one command (a pod of many containers) searches PATH
 * once, and a program installed or removed since is seen by the next batch.
 */
export function memoizedForTurn<T>(
  check: (file: string) => T,
  defer: (fn: () => void) => void = (fn) => setImmediate(fn),
): (file: string) => T {
  let memo: Map<string, T> | undefined;
  return (file) => {
    if (memo === undefined) {
      const fresh = new Map<string, T>();
      memo = fresh;
      defer(() => {
        if (memo === fresh) memo = undefined;
      });
    }
    let result = memo.get(file);
    if (result === undefined) {
      result = check(file);
      memo.set(file, result);
    }
    return result;
  };
}
