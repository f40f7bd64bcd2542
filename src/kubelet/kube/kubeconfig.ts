import path from 'node:path';
import yaml from 'js-yaml';

/** How to run a client-go exec credential plugin (users[].user.exec). */
export interface ExecPluginConfig {
  apiVersion: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Directory relative commands are resolved against (the kubeconfig's). */
  baseDir: string;
  /** Sent to the plugin as spec.cluster when provideClusterInfo is set. */
  clusterInfo: { server: string; 'certificate-authority-data'?: string } | undefined;
}

/** Where the client's credentials come from; exactly one source, or none. */
export type CredentialConfig =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'token-file'; path: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'exec'; exec: ExecPluginConfig };

/**
 * Everything needed to talk to one API server, resolved from a kubeconfig:
 * PEM material is read in, relative paths are resolved against the file.
 */
export interface KubeClientConfig {
  /** Server URL without a trailing slash; may carry a path prefix. */
  server: string;
  caPem: string | undefined;
  insecureSkipTlsVerify: boolean;
  tlsServerName: string | undefined;
  clientCertPem: string | undefined;
  clientKeyPem: string | undefined;
  credentials: CredentialConfig;
  /** Impersonate-* headers from users[].user.as / as-uid / as-groups. */
  impersonationHeaders: Record<string, string | string[]>;
  /** The context's namespace, "default" when unset. */
  namespace: string;
  /**
   * Set when the kubeconfig uses what only @kubernetes/client-node implements
   * (see clientNodeNeeds); unset, our loader covered everything.
   */
  clientNode?: ClientNodeFallbackConfig;
}

/** Auth-provider plugins @kubernetes/client-node implements (client-go's legacy ones). */
export const CLIENT_NODE_AUTH_PROVIDERS: readonly string[] = ['oidc', 'gcp', 'azure'];
/** Proxy schemes @kubernetes/client-node builds agents for. */
const PROXY_SCHEMES = ['http:', 'https:', 'socks:', 'socks4:', 'socks4a:', 'socks5:', 'socks5h:'];

/** What a kubeconfig needs from @kubernetes/client-node, which vk-cmd loads only then. */
export interface ClientNodeNeeds {
  /** users[].user.auth-provider.name: client-node supplies the Authorization header. */
  authProvider: string | undefined;
  /** clusters[].cluster.proxy-url: client-node builds the agent that goes through it. */
  proxyUrl: string | undefined;
}

/** ClientNodeNeeds plus what client-node needs to load the same kubeconfig. */
export interface ClientNodeFallbackConfig extends ClientNodeNeeds {
  kubeconfigText: string;
  /** Relative paths in the kubeconfig are taken from this file's directory. */
  filePath: string;
  contextName: string;
}

/** A kubeconfig that cannot be used; the message names the field. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function named(list: unknown, key: 'cluster' | 'user' | 'context', name: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const entry of list) {
    if (isObj(entry) && entry['name'] === name && isObj(entry[key])) return entry[key];
  }
  return undefined;
}

function str(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeconfigError(`${where}.${key} must be a string`);
  return v;
}

/**
 * Parses kubeconfig text (YAML or JSON) into a KubeClientConfig for its
 * current context (or `contextName`). `readFile` reads referenced files;
 * relative paths are taken from `filePath`'s directory, as kubectl does.
 * Throws KubeconfigError for anything kubectl would also refuse, and for
 * auth-provider plugins that @kubernetes/client-node does not implement either.
 */
export function parseKubeconfig(
  text: string,
  filePath: string,
  readFile: (file: string) => string,
  contextName?: string,
): KubeClientConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new KubeconfigError(`not valid YAML: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw new KubeconfigError('not a kubeconfig (expected a mapping)');
  const baseDir = path.dirname(path.resolve(filePath));
  const resolve = (p: string): string => (path.isAbsolute(p) ? p : path.join(baseDir, p));
  const read = (p: string, field: string): string => {
    try {
      return readFile(resolve(p));
    } catch (err) {
      throw new KubeconfigError(`${field}: cannot read ${resolve(p)}: ${(err as Error).message}`);
    }
  };
  const pem = (o: Obj, fileKey: string, dataKey: string, where: string): string | undefined => {
    const data = str(o, dataKey, where);
    if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
    const file = str(o, fileKey, where);
    return file === undefined ? undefined : read(file, `${where}.${fileKey}`);
  };

  const current = contextName ?? str(doc, 'current-context', 'kubeconfig');
  if (!current) throw new KubeconfigError('current-context is not set');
  const context = named(doc['contexts'], 'context', current);
  if (!context) throw new KubeconfigError(`context "${current}" is not defined`);
  const clusterName = str(context, 'cluster', `contexts[${current}]`);
  const cluster = clusterName ? named(doc['clusters'], 'cluster', clusterName) : undefined;
  if (!cluster)
    throw new KubeconfigError(`cluster "${clusterName ?? ''}" of context "${current}" is not defined`);
  const userName = str(context, 'user', `contexts[${current}]`);
  const user = userName ? (named(doc['users'], 'user', userName) ?? {}) : {};
  const cw = `clusters[${clusterName}]`;
  const uw = `users[${userName ?? ''}]`;

  const server = str(cluster, 'server', cw);
  if (!server) throw new KubeconfigError(`${cw}.server is not set`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(`${cw}.server "${server}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeconfigError(`${cw}.server "${server}" must be http or https`);
  }
  const needs = clientNodeNeeds(cluster, user, cw, uw);

  const clientCertPem = pem(user, 'client-certificate', 'client-certificate-data', uw);
  const clientKeyPem = pem(user, 'client-key', 'client-key-data', uw);
  if ((clientCertPem === undefined) !== (clientKeyPem === undefined)) {
    throw new KubeconfigError(`${uw}: client-certificate and client-key must be given together`);
  }
  const caPem = pem(cluster, 'certificate-authority', 'certificate-authority-data', cw);

  return {
    server: server.replace(/\/+$/, ''),
    caPem,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cluster, 'tls-server-name', cw),
    clientCertPem,
    clientKeyPem,
    credentials: credentialConfig(user, uw, resolve, baseDir, server, cluster),
    impersonationHeaders: impersonation(user, uw),
    namespace: str(context, 'namespace', `contexts[${current}]`) ?? 'default',
    ...(needs ? { clientNode: { ...needs, kubeconfigText: text, filePath, contextName: current } } : {}),
  };
}

/**
 * Which parts of a cluster and user entry only @kubernetes/client-node
 * implements: a legacy auth-provider plugin (OIDC, gcp, azure) and a
 * proxy-url. undefined when none, so the library is not loaded. Throws
 * KubeconfigError for an auth-provider or proxy it cannot handle either.
 */
export function clientNodeNeeds(
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
  cw = 'cluster',
  uw = 'user',
): ClientNodeNeeds | undefined {
  const proxyUrl = str(cluster, 'proxy-url', cw);
  if (proxyUrl !== undefined) {
    let scheme: string;
    try {
      scheme = new URL(proxyUrl).protocol;
    } catch {
      throw new KubeconfigError(`${cw}.proxy-url is not a URL`);
    }
    if (!PROXY_SCHEMES.includes(scheme)) {
      throw new KubeconfigError(`${cw}.proxy-url: ${scheme} proxies are not supported (http, https, socks)`);
    }
  }
  const provider = user['auth-provider'];
  let authProvider: string | undefined;
  if (provider !== undefined && provider !== null) {
    const aw = `${uw}.auth-provider`;
    if (!isObj(provider)) throw new KubeconfigError(`${aw} must be a mapping`);
    authProvider = str(provider, 'name', aw);
    if (authProvider === undefined) throw new KubeconfigError(`${aw}.name is not set`);
    if (!CLIENT_NODE_AUTH_PROVIDERS.includes(authProvider)) {
      throw new KubeconfigError(
        `${aw} "${authProvider}" is not supported (${CLIENT_NODE_AUTH_PROVIDERS.join(', ')} are); ` +
          'use an exec plugin, a token or a client certificate',
      );
    }
  }
  return proxyUrl === undefined && authProvider === undefined ? undefined : { authProvider, proxyUrl };
}

function credentialConfig(
  user: Obj,
  uw: string,
  resolve: (p: string) => string,
  baseDir: string,
  server: string,
  cluster: Obj,
): CredentialConfig {
  const token = str(user, 'token', uw);
  if (token !== undefined) return { kind: 'token', token };
  const tokenFile = str(user, 'tokenFile', uw);
  if (tokenFile !== undefined) return { kind: 'token-file', path: resolve(tokenFile) };
  const username = str(user, 'username', uw);
  if (username !== undefined) return { kind: 'basic', username, password: str(user, 'password', uw) ?? '' };
  const exec = user['exec'];
  if (exec === undefined || exec === null) return { kind: 'none' };
  if (!isObj(exec)) throw new KubeconfigError(`${uw}.exec must be a mapping`);
  const ew = `${uw}.exec`;
  const command = str(exec, 'command', ew);
  if (!command) throw new KubeconfigError(`${ew}.command is not set`);
  const apiVersion = str(exec, 'apiVersion', ew);
  if (!apiVersion) throw new KubeconfigError(`${ew}.apiVersion is not set`);
  const args = exec['args'] ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new KubeconfigError(`${ew}.args must be a list of strings`);
  }
  const env: Record<string, string> = {};
  const envList = exec['env'] ?? [];
  if (!Array.isArray(envList)) throw new KubeconfigError(`${ew}.env must be a list`);
  for (const e of envList) {
    if (!isObj(e) || typeof e['name'] !== 'string')
      throw new KubeconfigError(`${ew}.env entries need a name`);
    env[e['name']] = typeof e['value'] === 'string' ? e['value'] : '';
  }
  const caData = str(cluster, 'certificate-authority-data', 'cluster');
  return {
    kind: 'exec',
    exec: {
      apiVersion,
      command,
      args: args as string[],
      env,
      baseDir,
      clusterInfo:
        exec['provideClusterInfo'] === true
          ? { server, ...(caData ? { 'certificate-authority-data': caData } : {}) }
          : undefined,
    },
  };
}

function impersonation(user: Obj, uw: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const as = str(user, 'as', uw);
  if (as !== undefined) headers['Impersonate-User'] = as;
  const asUid = str(user, 'as-uid', uw);
  if (asUid !== undefined) headers['Impersonate-Uid'] = asUid;
  const groups = user['as-groups'];
  if (Array.isArray(groups) && groups.length > 0) headers['Impersonate-Group'] = groups.map(String);
  return headers;
}
