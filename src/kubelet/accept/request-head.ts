/** An HTTP/1.1 request line and headers; header names lower-case, repeated ones joined with ", ". */
export interface RequestHead {
  method: string;
  target: string;
  version: string;
  headers: ReadonlyMap<string, string>;
}

/**
 * The outcome of reading the bytes received so far: more are needed, the
 * head is complete (`rest` are the bytes after it), or it is malformed
 * (`problem` says how, for the refusal and the log).
 */
export type HeadParse =
  | { kind: 'incomplete' }
  | { kind: 'complete'; head: RequestHead; rest: Buffer }
  | { kind: 'malformed'; problem: string };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Parses a request head from the bytes received so far. Pure. Refuses
 * anything but a plain `METHOD target HTTP/1.x` line with `name: value`
 * headers, heads longer than `maxBytes`, and bytes that are not
 * HTTP/1.1 text (a TLS-less client, a port scanner, an HTTP/2 preface).
 */
export function parseRequestHead(received: Buffer, maxBytes: number): HeadParse {
  const end = received.indexOf('\r\n\r\n');
  if (end === -1) {
    if (received.length >= maxBytes)
      return { kind: 'malformed', problem: `request head over ${maxBytes} bytes` };
    // A request line must start with a method; refuse binary junk before waiting for more of it.
    const firstLine = received.subarray(0, Math.min(received.length, 16)).toString('latin1');
    if (firstLine.length > 0 && !/^[A-Z]{1,15}( |$)/.test(firstLine.split('\r')[0] ?? '')) {
      return { kind: 'malformed', problem: 'not an HTTP/1.1 request' };
    }
    return { kind: 'incomplete' };
  }
  if (end + 4 > maxBytes) return { kind: 'malformed', problem: `request head over ${maxBytes} bytes` };
  const lines = received.subarray(0, end).toString('latin1').split('\r\n');
  const requestLine = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0] ?? '');
  if (!requestLine) return { kind: 'malformed', problem: 'not an HTTP/1.1 request line' };
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) return { kind: 'malformed', problem: 'malformed header line' };
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value))
      return { kind: 'malformed', problem: `control characters in header ${name}` };
    const key = name.toLowerCase();
    const before = headers.get(key);
    headers.set(key, before === undefined ? value : `${before}, ${value}`);
  }
  return {
    kind: 'complete',
    head: {
      method: requestLine[1] ?? '',
      target: requestLine[2] ?? '',
      version: requestLine[3] ?? '',
      headers,
    },
    rest: received.subarray(end + 4),
  };
}

/** Whether a comma-separated header (Connection, Upgrade) lists `token`, in any case. Pure. */
export function headerHasToken(value: string | undefined, token: string): boolean {
  return (value ?? '').split(',').some((part) => part.trim().toLowerCase() === token.toLowerCase());
}

const REASONS: Readonly<Record<number, string>> = {
  101: 'Switching Protocols',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

/** A complete HTTP/1.1 response head (and body) as bytes. Pure. */
export function formatResponse(status: number, headers: Record<string, string>, body = ''): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8');
  const all: Record<string, string> =
    status === 101
      ? headers
      : {
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Length': String(bodyBytes.length),
          Connection: 'close',
          ...headers,
        };
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`];
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]);
}
