import https from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface Credentials {
  cert?: string;
  key?: string;
  token?: string;
}

export interface CallOptions extends Credentials {
  port: number;
  path: string;
  /** The serving certificate the client trusts. */
  ca: string;
  method?: string;
}

function open(options: CallOptions): ClientRequest {
  return https.request({
    host: '127.0.0.1',
    port: options.port,
    path: options.path,
    method: options.method ?? 'GET',
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    agent: false,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
}

/** One request, read to the end. */
export function call(
  options: CallOptions,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = open(options);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request whose body the test reads as it arrives. */
export class StreamingCall {
  readonly response: Promise<IncomingMessage>;
  readonly chunks: string[] = [];
  private readonly req: ClientRequest;
  private listeners: Array<() => void> = [];
  private ended = false;
  readonly done: Promise<void>;

  constructor(options: CallOptions) {
    this.req = open(options);
    let endResolve: () => void = () => undefined;
    this.done = new Promise((resolve) => (endResolve = resolve));
    this.response = new Promise((resolve, reject) => {
      this.req.on('response', (res) => {
        res.on('data', (c: Buffer) => {
          this.chunks.push(c.toString('utf8'));
          this.notify();
        });
        res.on('end', () => {
          this.ended = true;
          endResolve();
          this.notify();
        });
        res.on('error', () => undefined);
        resolve(res);
      });
      this.req.on('error', reject);
    });
    this.req.end();
  }

  get text(): string {
    return this.chunks.join('');
  }

  get finished(): boolean {
    return this.ended;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Waits until the body received so far satisfies `predicate`. */
  waitForText(predicate: (text: string) => boolean, timeoutMs = 5_000): Promise<void> {
    if (predicate(this.text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`timed out waiting for log text; got ${JSON.stringify(this.text)}`));
      }, timeoutMs);
      const check = (): void => {
        if (!predicate(this.text)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  /** The client goes away mid-stream. */
  abort(): void {
    this.req.destroy();
  }
}
