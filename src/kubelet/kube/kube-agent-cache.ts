import http from 'node:http';
import https from 'node:https';
import type { Credential } from './kube-credentials.js';
import type { KubeClientConfig } from './kubeconfig.js';

/** Close our idle connections before the API server's idle timeout does, to avoid racing it. */
export const IDLE_SOCKET_MS = 60_000;

/** What every agent for the API server is built with: TLS material and the keep-alive pool. */
export type KubeAgentOptions = https.AgentOptions & {
  keepAlive: true;
  maxSockets: number;
  maxFreeSockets: number;
  timeout: number;
};

/**
 * Builds the agent for `options` in place of Node's own (used when the
 * kubeconfig names a proxy: @kubernetes/client-node builds the agent that goes
 * through it). The agent must keep connections alive, honour maxSockets and
 * present the TLS material in `options`; rejecting fails the request that
 * needed it.
 */
export type AgentFactory = (options: KubeAgentOptions) => Promise<http.Agent>;

/**
 * The keep-alive agent for one API server, reused for as long as the client
 * certificate stays the same and replaced when it changes (an exec plugin's
 * rotation). `get` returns the agent, or, while a factory builds a new one, a
 * promise of it that concurrent callers share. Requests in flight on a
 * replaced agent finish; its idle connections are dropped after
 * IDLE_SOCKET_MS. Single event loop.
 */
export class KubeAgentCache {
  private agent: http.Agent | undefined;
  private agentKey = '';
  private building: { key: string; agent: Promise<http.Agent> } | undefined;

  constructor(
    private readonly config: KubeClientConfig,
    private readonly maxSockets: number,
    private readonly createAgent?: AgentFactory,
  ) {}

  get(credential: Credential): http.Agent | Promise<http.Agent> {
    const certPem = credential.certPem ?? this.config.clientCertPem;
    const keyPem = credential.keyPem ?? this.config.clientKeyPem;
    const key = `${certPem ?? ''}\n${keyPem ?? ''}`;
    if (this.agent && key === this.agentKey) return this.agent;
    const options: KubeAgentOptions = {
      keepAlive: true,
      maxSockets: this.maxSockets,
      maxFreeSockets: this.maxSockets,
      timeout: IDLE_SOCKET_MS,
      scheduling: 'lifo',
      ca: this.config.caPem,
      cert: certPem,
      key: keyPem,
      rejectUnauthorized: !this.config.insecureSkipTlsVerify,
      servername: this.config.tlsServerName,
    };
    if (!this.createAgent) {
      const agent = this.config.server.startsWith('https:')
        ? new https.Agent(options)
        : new http.Agent(options);
      this.install(agent, key);
      return agent;
    }
    if (this.building?.key === key) return this.building.agent;
    const entry = {
      key,
      agent: this.createAgent(options).then(
        (agent) => {
          if (this.building === entry) {
            this.building = undefined;
            this.install(agent, key);
          } else {
            retire(agent); // closed or superseded while it was built: serves only its own caller
          }
          return agent;
        },
        (err: unknown) => {
          if (this.building === entry) this.building = undefined;
          throw err;
        },
      ),
    };
    this.building = entry;
    return entry.agent;
  }

  /** Closes every pooled connection; requests after this open new ones. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.agentKey = '';
    this.building = undefined;
  }

  private install(agent: http.Agent, key: string): void {
    if (this.agent) retire(this.agent);
    this.agent = agent;
    this.agentKey = key;
  }
}

function retire(agent: http.Agent): void {
  setTimeout(() => agent.destroy(), IDLE_SOCKET_MS).unref();
}
