/**
 * The flag table: one row per setting of a binary. Parsing, environment
 * variables, defaults, validation and `--help` are all driven by it, and a
 * unit test checks the README's configuration tables against it.
 */

/** What a row says about any flag, whatever its type. */
interface FlagCommon {
  /** Canonical name without dashes, e.g. `kubelet-port`, `klog.v`, `v`. Messages and help use it. */
  readonly name: string;
  /** Other names of the same flag, without dashes (`v` for `klog.v`). */
  readonly aliases?: readonly string[];
  /**
   * Environment variables read, in this order, when the flag is not on the
   * command line. An empty value counts as unset. Flags always win.
   */
  readonly env?: readonly string[];
  /** Placeholder of the value in --help (`FILE`, `N`); a default per type otherwise. */
  readonly valueName?: string;
  /**
   * The default as --help shows it, for defaults computed at run time or that
   * read better in words; `''` shows none. Otherwise the table's default is shown.
   */
  readonly defaultText?: string;
  /** One or two sentences for --help. */
  readonly help: string;
}

/**
 * A validation hook: returns what is wrong with a value (read after
 * "--flag: "), or undefined when it is acceptable.
 */
export type FlagCheck = (value: string) => string | undefined;

/** A string; without a default the value is undefined when unset. */
export interface StringFlag extends FlagCommon {
  readonly type: 'string';
  readonly default?: string;
  readonly validate?: FlagCheck;
}

/** A whole number within [min, max]. */
export interface IntFlag extends FlagCommon {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/**
 * `true`, `1`, `t`, `yes` or `false`, `0`, `f`, `no` (any case). On the command
 * line a bare `--flag` is true and a value needs `=`, as in Go's flag package.
 */
export interface BoolFlag extends FlagCommon {
  readonly type: 'bool';
  readonly default: boolean;
}

/** A number of seconds, fractions allowed, with an optional `s` suffix (`90`, `2.5`, `30s`). */
export interface DurationFlag extends FlagCommon {
  readonly type: 'duration';
  /** Seconds. */
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/**
 * A repeatable flag: every occurrence adds a value. Occurrences on the
 * command line replace the default; an environment variable gives one value.
 */
export interface ListFlag extends FlagCommon {
  readonly type: 'list';
  readonly default: readonly string[];
  /** Applied to each value. */
  readonly validate?: FlagCheck;
}

/** One of a fixed set of words, matched exactly. */
export interface EnumFlag extends FlagCommon {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default: string;
}

export type FlagSpec = StringFlag | IntFlag | BoolFlag | DurationFlag | ListFlag | EnumFlag;

/** A binary's flag table, in --help order. */
export type FlagTable = readonly FlagSpec[];

/** The parsed value of one row, typed from the row itself (tables are declared `as const`). */
export type FlagValue<S extends FlagSpec> = S extends StringFlag
  ? S extends { readonly default: string }
    ? string
    : string | undefined
  : S extends IntFlag | DurationFlag
    ? number
    : S extends BoolFlag
      ? boolean
      : S extends ListFlag
        ? string[]
        : S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
          ? V
          : never;

/** Every row's value by canonical name. */
export type FlagValues<T extends FlagTable> = { -readonly [S in T[number] as S['name']]: FlagValue<S> };

/** The canonical names of a table. */
export type FlagName<T extends FlagTable> = T[number]['name'];

/** `--help` (`-h`) and `--version`, which every binary has; parsing stops at them. */
export const STANDARD_FLAGS = [
  {
    name: 'help',
    aliases: ['h'],
    type: 'bool',
    default: false,
    defaultText: '',
    help: 'Show this help and exit.',
  },
  { name: 'version', type: 'bool', default: false, defaultText: '', help: 'Show the version and exit.' },
] as const satisfies FlagTable;

/** The row of a name or alias, if any. */
export function findFlag(table: FlagTable, name: string): FlagSpec | undefined {
  return table.find((f) => f.name === name || (f.aliases ?? []).includes(name));
}
