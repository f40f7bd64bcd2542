import { FlagError } from './flag-error.js';
import type { FlagSpec } from './flag-spec.js';

/** Go's strconv.ParseBool words plus yes/no, any case; undefined for anything else. */
export function parseBoolText(text: string): boolean | undefined {
  if (/^(true|1|t|yes)$/i.test(text)) return true;
  if (/^(false|0|f|no)$/i.test(text)) return false;
  return undefined;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(words: readonly string[]): string {
  return words.length <= 1
    ? (words[0] ?? '')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function checkRange(n: number, spec: { min: number; max: number }, unit: string): string | undefined {
  if (n >= spec.min && n <= spec.max) return undefined;
  return spec.max >= Number.MAX_SAFE_INTEGER
    ? `must be at least ${spec.min}${unit}, got ${n}`
    : `must be from ${spec.min} to ${spec.max}${unit}, got ${n}`;
}

/** The parsed value of one row from text, or what is wrong with the text. */
function convert(spec: FlagSpec, text: string): { value: unknown } | { problem: string } {
  switch (spec.type) {
    case 'string':
    case 'list': {
      const problem = spec.validate?.(text);
      return problem === undefined ? { value: text } : { problem };
    }
    case 'int': {
      const trimmed = text.trim();
      const n = Number(trimmed);
      if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(n))
        return { problem: `expected an integer, got "${text}"` };
      const problem = checkRange(n, spec, '');
      return problem === undefined ? { value: n } : { problem };
    }
    case 'duration': {
      const number = text.trim().replace(/s$/, '');
      const n = Number(number);
      if (number === '' || !Number.isFinite(n))
        return { problem: `expected a number of seconds, got "${text}"` };
      const problem = checkRange(n, spec, ' s');
      return problem === undefined ? { value: n } : { problem };
    }
    case 'bool': {
      const value = parseBoolText(text);
      return value === undefined ? { problem: `expected true or false, got "${text}"` } : { value };
    }
    case 'enum':
      return spec.values.includes(text)
        ? { value: text }
        : { problem: `expected ${orList(spec.values)}, got "${text}"` };
  }
}

/**
 * The typed value of one row from its text (a list from each of its texts).
 * Throws FlagError naming `setting`, the flag or variable the text came from.
 */
export function convertFlagValue(spec: FlagSpec, text: string | readonly string[], setting: string): unknown {
  const one = (t: string): unknown => {
    const result = convert(spec, t);
    if ('problem' in result) throw new FlagError(setting, result.problem);
    return result.value;
  };
  if (typeof text === 'string') return spec.type === 'list' ? [one(text)] : one(text);
  return spec.type === 'list' ? text.map(one) : one(text[text.length - 1] ?? '');
}
