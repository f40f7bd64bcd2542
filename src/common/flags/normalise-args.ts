import { FlagError } from './flag-error.js';
import { findFlag, type FlagTable } from './flag-spec.js';
import { parseBoolText } from './flag-values.js';

/** `-name`, `--name`, `-name=value` or `--name=value`; the names Go's flag package accepts. */
const FLAG_ARG = /^--?([A-Za-z0-9][A-Za-z0-9.-]*)(?:=(.*))?$/s;

/**
 * Rewrites a Go-style command line into the one form `util.parseArgs` reads
 * without guessing: every flag as `--<canonical name>=<value>`, a boolean as
 * `--<name>` or `--no-<name>`.
 *
 * Accepted, as the original (a Go binary) and its scripts write them:
 * `--flag value`, `--flag=value`, `-flag value`, `-flag=value`, aliases
 * (`--v 3` for `--klog.v 3`, `-h`), and booleans as `--flag`, `--flag=true`,
 * `--flag=false`. The word after a flag that takes a value is always that
 * value, even when it starts with a dash (`--v -1`); a boolean never takes
 * the next word.
 *
 * Throws FlagError for an unknown flag, a missing value, a boolean that is
 * not true or false, and any argument that is not a flag (there are no
 * positional arguments).
 */
export function normaliseArgs(argv: readonly string[], table: FlagTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = FLAG_ARG.exec(arg);
    if (!match || !match[1]) {
      throw new FlagError(
        arg,
        'unexpected argument (flags start with - or --)',
        `unexpected argument "${arg}" (flags start with - or --)`,
      );
    }
    const spec = findFlag(table, match[1]);
    if (!spec) {
      const written = `--${match[1]}`;
      throw new FlagError(written, 'unknown flag (see --help)', `unknown flag ${written} (see --help)`);
    }
    const flag = `--${spec.name}`;
    const inline = match[2];
    if (spec.type === 'bool') {
      const value = inline === undefined ? true : parseBoolText(inline);
      if (value === undefined) throw new FlagError(flag, `expected true or false, got "${inline}"`);
      out.push(value ? flag : `--no-${spec.name}`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new FlagError(flag, 'missing value');
      value = argv[++i] ?? '';
    }
    out.push(`${flag}=${value}`);
  }
  return out;
}
