import { invalidSetting } from '../errors.js';
import { FLAGS, type FlagSpec } from './flag-table.js';

/** What parsing needs from the host; injected so the parser stays pure. */
export interface ConfigHost {
  /** Whether a file named by a setting can be read. */
  checkFile(filePath: string): 'readable' | 'missing' | 'unreadable';
  homeDir: string;
  hostname: string;
  /** The address used when VKUBELET_POD_IP is not set. */
  defaultPodIp(): string;
}

type RawValues = Map<string, string[]>;

function findFlag(name: string): FlagSpec | undefined {
  return FLAGS.find((f) => f.name === name || (f.aliases ?? []).includes(name));
}

/**
 * Splits argv into flag values: `--flag value`, `--flag=value`, `-flag`, and
 * bare booleans. Rejects unknown flags and positional arguments.
 */
export function tokenizeArgs(argv: readonly string[]): RawValues {
  const values: RawValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--?([A-Za-z0-9][A-Za-z0-9.-]*)(?:=(.*))?$/s.exec(arg);
    if (!match || !match[1]) throw invalidSetting(arg, 'unexpected argument (flags start with --)');
    const spec = findFlag(match[1]);
    if (!spec) throw invalidSetting(`--${match[1]}`, 'unknown flag (see --help)');
    let value = match[2];
    if (value === undefined) {
      if (spec.kind === 'bool') value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined) throw invalidSetting(`--${spec.name}`, 'needs a value');
        value = next;
        i++;
      }
    }
    const list = values.get(spec.name) ?? [];
    list.push(value);
    values.set(spec.name, list);
  }
  return values;
}

/**
 * Typed reads of one setting: the last flag value, else its environment
 * variable (empty means unset). Errors name the flag when a flag was given,
 * else the variable, so the message points at what the user wrote.
 */
export class FlagValues {
  private readonly raw: RawValues;

  constructor(
    argv: readonly string[],
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly host: ConfigHost,
  ) {
    this.raw = tokenizeArgs(argv);
  }

  /** Every value given for a repeatable flag. */
  all(name: string): string[] {
    return this.raw.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.raw.has(name);
  }

  setting(name: string): string {
    const spec = findFlag(name);
    return this.raw.has(name) || !spec?.env ? `--${name}` : spec.env;
  }

  str(name: string): string | undefined {
    const fromFlag = this.raw.get(name);
    if (fromFlag && fromFlag.length > 0) return fromFlag[fromFlag.length - 1];
    const spec = findFlag(name);
    const fromEnv = spec?.env ? this.env[spec.env] : undefined;
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (/^(true|1|t|yes)$/i.test(v)) return true;
    if (/^(false|0|f|no)$/i.test(v)) return false;
    throw invalidSetting(this.setting(name), `"${v}" is not a boolean`);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw invalidSetting(this.setting(name), `"${v}" is not an integer`);
    const n = Number.parseInt(v, 10);
    if (n < min || n > max) throw invalidSetting(this.setting(name), `${n} is outside [${min}, ${max}]`);
    return n;
  }

  /** A number of seconds, `s` suffix allowed. */
  seconds(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    const n = Number(v.trim().replace(/s$/, ''));
    if (v.trim() === '' || !Number.isFinite(n))
      throw invalidSetting(this.setting(name), `"${v}" is not a number of seconds`);
    if (n < min || n > max) throw invalidSetting(this.setting(name), `${n} is outside [${min}, ${max}]`);
    return n;
  }

  /** A file the kubelet must be able to read. */
  readableFile(name: string): string | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const status = this.host.checkFile(v);
    if (status === 'missing') throw invalidSetting(this.setting(name), `file ${v} does not exist`);
    if (status === 'unreadable') throw invalidSetting(this.setting(name), `file ${v} cannot be read`);
    return v;
  }
}
