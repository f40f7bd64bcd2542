import { STANDARD_FLAGS, type FlagTable } from '../../../../src/common/flags/flag-spec.js';

/** A table with one row of every type, for the parser's tests. */
export const SAMPLE = [
  {
    name: 'name',
    type: 'string',
    env: ['NAME', 'OLD_NAME'],
    validate: (v: string) => (v.includes(' ') ? `"${v}" has a space` : undefined),
    help: 'A name.',
  },
  { name: 'port', type: 'int', env: ['PORT'], default: 10250, min: 0, max: 65535, help: 'A port.' },
  { name: 'klog.v', aliases: ['v'], type: 'int', default: 0, min: -10, max: 10, help: 'Verbosity.' },
  { name: 'big', type: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, help: 'Unbounded.' },
  { name: 'debug', type: 'bool', env: ['DEBUG'], default: false, help: 'A switch.' },
  { name: 'grace', type: 'duration', default: 40, min: 0.1, max: 60, help: 'Seconds.' },
  { name: 'taint', type: 'list', default: ['a:NoSchedule'], valueName: 'KEY:EFFECT', help: 'Repeatable.' },
  { name: 'mode', type: 'enum', values: ['Webhook', 'AlwaysAllow'], default: 'Webhook', help: 'One of two.' },
  { name: 'only', type: 'enum', values: ['mock'], default: 'mock', help: 'One of one.' },
  ...STANDARD_FLAGS,
] as const satisfies FlagTable;
