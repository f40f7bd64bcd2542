import net from 'node:net';
import tls from 'node:tls';
import { Http1Pool } from './http1-pool.js';
import { IDLE_SOCKET_MS } from './kube-agent-cache.js';
import type { Credential } from './kube-credentials.js';
import type { KubeClientConfig } from './kubeconfig.js';

/**
 * The Http1Pool for one API server, reused for as long as the client
 * certificate stays the same and replaced when it changes (an exec plugin's
 * rotation); a replaced pool is closed after IDLE_SOCKET_MS, so requests in
 * flight on it finish. TLS material from the kubeconfig, the server name and
 * verification as Node's https agent would use them. Single event loop.
 */
export class KubeConnections {
  private current: { certPem: string | undefined; keyPem: string | undefined; pool: Http1Pool } | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;

  constructor(
    private readonly config: KubeClientConfig,
    private readonly maxSockets: number,
  ) {
    const url = new URL(config.server);
    this.secure = url.protocol === 'https:';
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port ? Number(url.port) : this.secure ? 443 : 80;
  }

  pool(credential: Credential): Http1Pool {
    const certPem = credential.certPem ?? this.config.clientCertPem;
    const keyPem = credential.keyPem ?? this.config.clientKeyPem;
    const current = this.current;
    if (current && current.certPem === certPem && current.keyPem === keyPem) return current.pool;
    const options: tls.ConnectionOptions | undefined = this.secure
      ? {
          secureContext: tls.createSecureContext({ ca: this.config.caPem, cert: certPem, key: keyPem }),
          rejectUnauthorized: !this.config.insecureSkipTlsVerify,
          // Node's https agent sends no SNI for an IP address; the certificate is checked against the host either way.
          servername: this.config.tlsServerName ?? (net.isIP(this.host) ? undefined : this.host),
        }
      : undefined;
    const pool = new Http1Pool(
      { host: this.host, port: this.port, tls: options },
      this.maxSockets,
      IDLE_SOCKET_MS,
    );
    if (current) setTimeout(() => current.pool.close(), IDLE_SOCKET_MS).unref();
    this.current = { certPem, keyPem, pool };
    return pool;
  }

  /** Closes every connection; requests after this open new ones. */
  close(): void {
    this.current?.pool.close();
    this.current = undefined;
  }
}
