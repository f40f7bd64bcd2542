/** Lists at most this long are scanned: cheaper than building a Map for a pod of a few containers. */
const SCAN_BELOW = 16;

/** Finds the entry of a list with a given name, as `list.find((x) => x.name === name)` would. */
export type ByName<T> = (name: string) => T | undefined;

/**
 * A lookup by name over a list of containers or container statuses, built
 * once per list: status code looks up every container of a pod in other
 * lists, which with a scan per lookup is quadratic (a pod of 1,000
 * containers: 500,000 comparisons per list, several lists per status). The
 * first entry of a name wins, as with find. Pure.
 */
export function byName<T extends { name: string }>(list: readonly T[] | undefined): ByName<T> {
  if (!list || list.length === 0) return () => undefined;
  if (list.length < SCAN_BELOW) return (name) => list.find((x) => x.name === name);
  const map = new Map<string, T>();
  for (const x of list) if (!map.has(x.name)) map.set(x.name, x);
  return (name) => map.get(name);
}
