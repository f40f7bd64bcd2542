import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CredentialConfig, ExecPluginConfig } from './kubeconfig.js';

/** What a request presents: an Authorization header and/or a client certificate. */
export interface Credential {
  authorization: string | undefined;
  /** A client certificate from an exec plugin; overrides the kubeconfig's. */
  certPem: string | undefined;
  keyPem: string | undefined;
}

/**
 * The source of a client's credential. `get` may read a file or run a plugin
 * and is safe to call per request (results are cached as client-go caches
 * them); concurrent calls share one fetch. Rejects when no credential can be
 * had. `invalidate` drops the cache after the API server answered 401.
 */
export interface CredentialSource {
  get(): Promise<Credential>;
  invalidate(): void;
}

const NONE: Credential = { authorization: undefined, certPem: undefined, keyPem: undefined };

/** Runs a plugin; resolves its stdout. Injected so tests need no real binaries. */
export type RunPlugin = (command: string, args: string[], env: NodeJS.ProcessEnv) => Promise<string>;

export interface CredentialDeps {
  readTextFile: (file: string) => Promise<string>;
  runPlugin: RunPlugin;
  nowMs: () => number;
  env: NodeJS.ProcessEnv;
}

const PLUGIN_TIMEOUT_MS = 60_000;
/** client-go re-reads a token file at most once a minute. */
export const TOKEN_FILE_CACHE_MS = 60_000;
/** A plugin credential is renewed this long before it expires. */
const EXPIRY_MARGIN_MS = 10_000;

export const defaultCredentialDeps: CredentialDeps = {
  readTextFile: (file) => readFile(file, 'utf8'),
  runPlugin: (command, args, env) =>
    new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { env, timeout: PLUGIN_TIMEOUT_MS, maxBuffer: 1 << 20 },
        (err, stdout, stderr) => {
          if (err) {
            const detail = stderr.trim().split('\n').slice(-3).join('; ');
            reject(new Error(`${err.message}${detail ? `: ${detail}` : ''}`));
          } else {
            resolve(stdout);
          }
        },
      );
    }),
  nowMs: Date.now,
  env: process.env,
};

/** The CredentialSource for a kubeconfig user. */
export function credentialSource(
  config: CredentialConfig,
  deps: CredentialDeps = defaultCredentialDeps,
): CredentialSource {
  switch (config.kind) {
    case 'none':
      return { get: () => Promise.resolve(NONE), invalidate: () => undefined };
    case 'token': {
      const c: Credential = { ...NONE, authorization: `Bearer ${config.token}` };
      return { get: () => Promise.resolve(c), invalidate: () => undefined };
    }
    case 'basic': {
      const basic = Buffer.from(`${config.username}:${config.password}`).toString('base64');
      const c: Credential = { ...NONE, authorization: `Basic ${basic}` };
      return { get: () => Promise.resolve(c), invalidate: () => undefined };
    }
    case 'token-file':
      return new CachedCredential(deps.nowMs, async () => {
        const token = (await deps.readTextFile(config.path)).trim();
        if (!token) throw new Error(`token file ${config.path} is empty`);
        return {
          credential: { ...NONE, authorization: `Bearer ${token}` },
          expiresAtMs: deps.nowMs() + TOKEN_FILE_CACHE_MS,
        };
      });
    case 'exec':
      return new CachedCredential(deps.nowMs, () => runExecPlugin(config.exec, deps));
  }
}

/**
 * Caches one credential until the `expiresAtMs` its fetch returned (or until
 * `invalidate`); concurrent `get` calls share one fetch, and a failed fetch
 * is not cached.
 */
export class CachedCredential implements CredentialSource {
  private cached: { credential: Credential; expiresAtMs: number } | undefined;
  private inFlight: Promise<Credential> | undefined;

  constructor(
    private readonly nowMs: () => number,
    private readonly fetch: () => Promise<{ credential: Credential; expiresAtMs: number }>,
  ) {}

  get(): Promise<Credential> {
    if (this.cached && this.nowMs() < this.cached.expiresAtMs) return Promise.resolve(this.cached.credential);
    this.inFlight ??= this.fetch().then(
      (fresh) => {
        this.cached = fresh;
        this.inFlight = undefined;
        return fresh.credential;
      },
      (err: unknown) => {
        this.inFlight = undefined;
        throw err;
      },
    );
    return this.inFlight;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}

/** Runs a client.authentication.k8s.io exec plugin and reads its ExecCredential. */
async function runExecPlugin(
  exec: ExecPluginConfig,
  deps: CredentialDeps,
): Promise<{ credential: Credential; expiresAtMs: number }> {
  const execInfo = {
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, ...(exec.clusterInfo ? { cluster: exec.clusterInfo } : {}) },
  };
  // A bare name is looked up on PATH; a relative path is taken from the kubeconfig's directory.
  const command = exec.command.includes('/') ? path.resolve(exec.baseDir, exec.command) : exec.command;
  const env = { ...deps.env, ...exec.env, KUBERNETES_EXEC_INFO: JSON.stringify(execInfo) };
  let stdout: string;
  try {
    stdout = await deps.runPlugin(command, exec.args, env);
  } catch (err) {
    throw new Error(`exec credential plugin ${exec.command} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseExecCredential(stdout, exec.command);
}

/** Parses a plugin's output; pure, exported for tests. */
export function parseExecCredential(
  stdout: string,
  command: string,
): { credential: Credential; expiresAtMs: number } {
  let out: { status?: Record<string, unknown> };
  try {
    out = JSON.parse(stdout) as typeof out;
  } catch {
    throw new Error(`exec credential plugin ${command} did not print an ExecCredential as JSON`);
  }
  const status = out.status ?? {};
  const text = (key: string): string | undefined =>
    typeof status[key] === 'string' && status[key] !== '' ? status[key] : undefined;
  const token = text('token');
  const certPem = text('clientCertificateData');
  const keyPem = text('clientKeyData');
  if (!token && !(certPem && keyPem)) {
    throw new Error(
      `exec credential plugin ${command} returned neither a token nor a client certificate and key`,
    );
  }
  const expiry = text('expirationTimestamp');
  const expiryMs = expiry === undefined ? Number.NaN : Date.parse(expiry);
  return {
    credential: { authorization: token ? `Bearer ${token}` : undefined, certPem, keyPem },
    expiresAtMs: Number.isFinite(expiryMs) ? expiryMs - EXPIRY_MARGIN_MS : Number.POSITIVE_INFINITY,
  };
}
