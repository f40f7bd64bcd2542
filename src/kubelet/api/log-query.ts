import type { LogStream } from '../../generated/vkcmd/runner/v1/LogStream.js';
import { InvalidInputError } from '../../common/errors.js';

/** PodLogOptions as the kubelet receives them from the API server, validated. */
export interface ContainerLogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines: number | undefined;
  sinceSeconds: number | undefined;
  /** `sinceTime` in milliseconds since the epoch. */
  sinceTimeMs: number | undefined;
  limitBytes: number | undefined;
  stream: LogStream;
}

// Kubernetes decodes a bool query parameter as false only for "0" and "false".
function parseBool(value: string | null): boolean {
  if (value === null) return false;
  return !(value === '0' || value.toLowerCase() === 'false');
}

function parseInt64(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value)) {
    throw new InvalidInputError(
      `invalid value ${JSON.stringify(value)} for query parameter ${name}: not an integer`,
    );
  }
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) {
    throw new InvalidInputError(
      `invalid value ${JSON.stringify(value)} for query parameter ${name}: out of range`,
    );
  }
  return parsed;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 time as Go's time.Parse(time.RFC3339) does; undefined when it is not one. */
export function parseRfc3339Ms(value: string): number | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map(Number);
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over out-of-range fields (Feb 30 -> Mar 2); Go refuses them.
  if (
    utc.getUTCMonth() !== month - 1 ||
    utc.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseSinceTime(params: URLSearchParams): number | undefined {
  const value = params.get('sinceTime');
  if (value === null || value === '' || value === 'null') return undefined;
  const ms = parseRfc3339Ms(value);
  if (ms === undefined) {
    throw new InvalidInputError(
      `invalid value ${JSON.stringify(value)} for query parameter sinceTime: not an RFC 3339 time`,
    );
  }
  return ms;
}

const STREAMS: Record<string, LogStream> = {
  All: 'LOG_STREAM_ALL',
  Stdout: 'LOG_STREAM_STDOUT',
  Stderr: 'LOG_STREAM_STDERR',
};

function parseStream(params: URLSearchParams): LogStream {
  const value = params.get('stream');
  if (value === null || value === '') return 'LOG_STREAM_ALL';
  const stream = STREAMS[value];
  if (!stream) {
    throw new InvalidInputError(
      `stream: Unsupported value: "${value}": supported values: "All", "Stderr", "Stdout"`,
    );
  }
  return stream;
}

/**
 * Decodes and validates the query of `/containerLogs/...` the way the kubelet
 * does (the legacy `tail` parameter included). Pure; throws InvalidInputError
 * with a Kubernetes-style field message.
 */
export function parseContainerLogQuery(params: URLSearchParams): ContainerLogQuery {
  const query = new URLSearchParams(params);
  // Backwards compatibility: `tail` overrides `tailLines`, and "all" means no limit.
  const tail = query.get('tail');
  if (tail !== null && tail !== '') {
    if (tail === 'all') query.delete('tailLines');
    else query.set('tailLines', tail);
  }
  const result: ContainerLogQuery = {
    follow: parseBool(query.get('follow')),
    previous: parseBool(query.get('previous')),
    timestamps: parseBool(query.get('timestamps')),
    tailLines: parseInt64(query, 'tailLines'),
    sinceSeconds: parseInt64(query, 'sinceSeconds'),
    sinceTimeMs: parseSinceTime(query),
    limitBytes: parseInt64(query, 'limitBytes'),
    stream: parseStream(query),
  };
  const errors: string[] = [];
  if (result.tailLines !== undefined && result.tailLines < 0) {
    errors.push(`tailLines: Invalid value: ${result.tailLines}: must be greater than or equal to 0`);
  }
  if (result.limitBytes !== undefined && result.limitBytes < 1) {
    errors.push(`limitBytes: Invalid value: ${result.limitBytes}: must be greater than 0`);
  }
  if (result.sinceSeconds !== undefined && result.sinceTimeMs !== undefined) {
    errors.push('Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
  } else if (result.sinceSeconds !== undefined && result.sinceSeconds < 1) {
    errors.push(`sinceSeconds: Invalid value: ${result.sinceSeconds}: must be greater than 0`);
  }
  if (result.stream !== 'LOG_STREAM_ALL' && result.tailLines !== undefined) {
    errors.push('Forbidden: `tailLines` and specific `stream` are mutually exclusive for now');
  }
  if (errors.length > 0) throw new InvalidInputError(errors.join(', '));
  return result;
}
