import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { FlagName, FlagTable, FlagValues } from './flag-spec.js';
import { convertFlagValue } from './flag-values.js';
import { normaliseArgs } from './normalise-args.js';

/** The process environment, or a test's. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The settings of a run: typed values, and where each came from for messages. */
export interface ParsedFlags<T extends FlagTable> {
  readonly values: FlagValues<T>;
  /**
   * The name to put in a message about a setting: `--flag` when it was on the
   * command line, else the environment variable that supplied it, else its
   * first variable (what users of the original set), else `--flag`.
   */
  setting(name: FlagName<T>): string;
  /** Whether the flag was on the command line. */
  given(name: FlagName<T>): boolean;
}

export type CommandLine<T extends FlagTable> =
  { kind: 'help' } | { kind: 'version' } | { kind: 'run'; flags: ParsedFlags<T> };

/**
 * Reads a command line and environment against a flag table. Pure.
 *
 * Each value comes from the last occurrence of its flag (every occurrence for
 * a list), else from its first non-empty environment variable, else from
 * `runtimeDefaults` (defaults known only at run time, such as the host name;
 * converted and validated like given text), else from the table. `--help`
 * and `--version` win over everything but a malformed command line, and
 * nothing else is read then. Throws FlagError naming the flag or variable.
 */
export function parseCommandLine<T extends FlagTable>(
  table: T,
  argv: readonly string[],
  env: Env,
  runtimeDefaults: Partial<Record<FlagName<T>, string>> = {},
): CommandLine<T> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const spec of table) {
    options[spec.name] =
      spec.type === 'bool' ? { type: 'boolean' } : { type: 'string', multiple: spec.type === 'list' };
  }
  // After normalising, every argument is `--name=value`, `--name` or `--no-name` of a known
  // flag, so strict parsing cannot fail on user input; it would only fail on a bug here.
  const { values: given } = parseArgs({
    args: normaliseArgs(argv, table),
    options,
    strict: true,
    allowPositionals: false,
    allowNegative: true,
  });
  if (given['help'] === true) return { kind: 'help' };
  if (given['version'] === true) return { kind: 'version' };

  const values: Record<string, unknown> = {};
  const settings = new Map<string, string>();
  const defaults: Partial<Record<string, string>> = runtimeDefaults;
  for (const spec of table) {
    const flag = `--${spec.name}`;
    const fromFlag = given[spec.name];
    if (fromFlag !== undefined) {
      settings.set(spec.name, flag);
      values[spec.name] =
        typeof fromFlag === 'boolean'
          ? fromFlag
          : convertFlagValue(spec, fromFlag as string | string[], flag);
      continue;
    }
    const envName = (spec.env ?? []).find((name) => (env[name] ?? '') !== '');
    const setting = envName ?? spec.env?.[0] ?? flag;
    settings.set(spec.name, setting);
    const text = envName !== undefined ? env[envName] : defaults[spec.name];
    values[spec.name] =
      text !== undefined
        ? convertFlagValue(spec, text, setting)
        : Array.isArray(spec.default)
          ? [...spec.default]
          : spec.default;
  }
  return {
    kind: 'run',
    flags: {
      values: values as FlagValues<T>,
      setting: (name) => settings.get(name) ?? `--${name}`,
      given: (name) => given[name] !== undefined,
    },
  };
}
