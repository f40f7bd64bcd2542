/** PromQL words that are not metric names: operators, modifiers, grouping. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: identifiers that are neither
 * functions, aggregations (followed by `(`) nor keywords, once label
 * matchers, ranges, strings and grouping label lists are removed. Enough for
 * the expressions this repository ships; not a PromQL parser. Pure.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const rest = stripped.slice((m.index ?? 0) + word.length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(word.toLowerCase())) continue;
    // A number's exponent (1e+09) or a Grafana variable ($node) is no name.
    const before = stripped[(m.index ?? 0) - 1];
    if (before !== undefined && /[0-9.$]/.test(before)) continue;
    names.add(word);
  }
  return [...names];
}
