import type { FlagSpec, FlagTable } from './flag-spec.js';

/** What --help says around the flags. */
export interface HelpIntro {
  /** `vk-cmd-runner`. */
  program: string;
  /** Lines saying what the program does. */
  about: readonly string[];
}

/** `--klog.v, -v`: one-letter names take one dash, as users write them. */
function names(spec: FlagSpec): string {
  return [spec.name, ...(spec.aliases ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ');
}

function placeholder(spec: FlagSpec): string {
  if (spec.type === 'bool') return '';
  if (spec.valueName) return ` ${spec.valueName}`;
  switch (spec.type) {
    case 'int':
      return ' N';
    case 'duration':
      return ' SECONDS';
    case 'enum':
      return ` ${spec.values.join('|')}`;
    default:
      return ' VALUE';
  }
}

function defaultShown(spec: FlagSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === undefined) return '';
  if (Array.isArray(spec.default)) return spec.default.join(',');
  return String(spec.default);
}

/**
 * The --help text of a binary, generated from its flag table: every flag with
 * its aliases, value, environment variables and default.
 */
export function helpText(table: FlagTable, intro: HelpIntro): string {
  const lines = [
    `Usage: ${intro.program} [flags]`,
    '',
    ...intro.about,
    '',
    'Flags take "--flag value" or "--flag=value"; "-flag" is the same as "--flag" (as in Go).',
    'A boolean flag needs "=" for a value: "--flag=false". Repeatable flags add a value each time.',
    ...(table.some((spec) => spec.env?.length) ? ['Flags override environment variables.'] : []),
    '',
    'Flags:',
  ];
  for (const spec of table) {
    const repeatable = spec.type === 'list' ? ' (repeatable)' : '';
    lines.push(`  ${names(spec)}${placeholder(spec)}${repeatable}`);
    const shown = defaultShown(spec);
    const meta = [
      spec.env?.length ? `env ${spec.env.join(' or ')}` : undefined,
      shown ? `default ${shown}` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    lines.push(`      ${spec.help}${meta ? ` (${meta})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
