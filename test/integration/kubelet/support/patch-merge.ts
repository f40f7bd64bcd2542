/** The patch semantics of the API server that the fake needs. */
type Json = Record<string, unknown>;

const MERGE_KEYS: Record<string, string> = {
  conditions: 'type',
  addresses: 'type',
  podIPs: 'ip',
  hostIPs: 'ip',
};

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Json =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The subset of strategic merge patch the kubelet relies on: list merge keys and `$patch: replace`. */
export function strategicMerge(target: unknown, patch: unknown, key?: string): unknown {
  if (Array.isArray(patch)) {
    const mergeKey = key ? MERGE_KEYS[key] : undefined;
    const replace = patch.some((p) => (p as Json)?.['$patch'] === 'replace');
    const items = patch.filter((p) => (p as Json)?.['$patch'] === undefined);
    if (!mergeKey || replace || !Array.isArray(target)) return items;
    const out = [...(target as Json[])];
    for (const item of items as Json[]) {
      const i = out.findIndex((o) => o[mergeKey] === item[mergeKey]);
      if (i === -1) out.push(item);
      else out[i] = strategicMerge(out[i], item) as Json;
    }
    return out;
  }
  if (patch === null || typeof patch !== 'object') return patch;
  const out: Json =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v, k);
  }
  return out;
}
