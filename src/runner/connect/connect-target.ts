import { ConfigError } from '../../common/errors.js';

/** Where a runner started with --connect dials: the kubelet's --accept-runners address. */
export interface ConnectTarget {
  /** As given, for messages. */
  url: string;
  host: string;
  port: number;
}

/**
 * Parses `https://HOST:PORT` (the port defaults to 443; IPv6 as `https://[::1]:PORT`).
 * Pure; throws ConfigError naming --connect.
 */
export function parseConnectTarget(value: string): ConnectTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--connect ${value}: expected https://HOST:PORT`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(
      `--connect ${value}: the kubelet is dialled over TLS; use https://HOST:PORT (got ${url.protocol}//)`,
    );
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`--connect ${value}: expected https://HOST:PORT with no path or query`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`--connect ${value}: put no credential in the URL; use --token-file`);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') throw new ConfigError(`--connect ${value}: the host is missing`);
  return { url: value, host, port: url.port === '' ? 443 : Number(url.port) };
}
