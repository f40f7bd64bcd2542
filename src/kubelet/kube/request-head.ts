/** Header values as Node's http client takes them; undefined members are left out. */
export type HeaderValues = Record<string, string | string[] | number | undefined>;

/**
 * The header lines of `headers` ("Name: value\r\n" each, in their order).
 * Throws a TypeError for a header name that is not a token or a value with a
 * line break or NUL, as Node does, so nothing can be smuggled.
 */
export function headerLines(headers: HeaderValues): string {
  let lines = '';
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new TypeError(`Header name must be a valid HTTP token ["${name}"]`);
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      const text = String(v);
      if (/[\r\n\0]/.test(text)) throw new TypeError(`Invalid character in header content ["${name}"]`);
      lines += `${name}: ${text}\r\n`;
    }
  }
  return lines;
}

/**
 * The request line and headers of one API request, as Node's http client
 * would send them on a keep-alive connection; validated as headerLines().
 */
export function requestHead(
  method: string,
  target: string,
  hostHeader: string,
  headers: HeaderValues,
): string {
  return assembleHead(method, target, hostHeader, headerLines(headers), undefined);
}

/** A head from header lines validated before (HeaderBlocks), with the body's Content-Length last. */
export function assembleHead(
  method: string,
  target: string,
  hostHeader: string,
  lines: string,
  contentLength: number | undefined,
): string {
  const length = contentLength === undefined ? '' : `Content-Length: ${contentLength}\r\n`;
  return `${method} ${target} HTTP/1.1\r\nHost: ${hostHeader}\r\n${lines}${length}Connection: keep-alive\r\n\r\n`;
}

/** Distinct (authorization, content type) pairs remembered; a rotating token would otherwise grow the map. */
const MAX_BLOCKS = 16;

/**
 * The header lines of API requests, built and validated once per
 * (authorization, content type) instead of once per request: every request
 * of the kubelet carries the same Accept, User-Agent and impersonation
 * headers, one of a few content types and one credential at a time. `build`
 * returns the headers for a pair (in the order they are sent); its answer
 * must depend on nothing else. Throws as headerLines() does.
 */
export class HeaderBlocks {
  private readonly blocks = new Map<string, string>();

  constructor(
    private readonly build: (
      authorization: string | undefined,
      contentType: string | undefined,
    ) => HeaderValues,
  ) {}

  get(authorization: string | undefined, contentType: string | undefined): string {
    const key = `${authorization ?? ''}\u0000${contentType ?? ''}`;
    let lines = this.blocks.get(key);
    if (lines === undefined) {
      lines = headerLines(this.build(authorization, contentType));
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
      this.blocks.set(key, lines);
    }
    return lines;
  }
}
