import type { Logger } from '../../common/logger.js';
import type { ClaimAnswer, DialInRequest, LeaveAnswer } from './dial-in-request.js';
import type { TokenGrant } from './runner-grants.js';

/** Where to listen, the TLS identity, and the owner's callbacks that place or delete a runner's node. */
export interface RunnerAcceptorOptions {
  host: string;
  port: number;
  certPem: string | Buffer;
  keyPem: string | Buffer;
  /** Asks runners for a client certificate and verifies it against this CA (mTLS). */
  clientCaPem?: string | Buffer;
  /** The token lines, read when needed; a throw refuses the runner with 503 and logs why. */
  grants: () => readonly TokenGrant[];
  /** Decides on a granted runner (a node already served, a node this kubelet does not serve...). */
  claim: (request: DialInRequest) => Promise<ClaimAnswer>;
  /** A granted runner asks for its node to be deleted; without this, leaving is refused (404). */
  leave?: (request: DialInRequest) => Promise<LeaveAnswer>;
  logger: Logger;
  /**
   * For a new connection to send its TLS hello; then, from the start of its
   * handshake (once a slot is free), to a complete, authenticated request.
   * Time spent waiting for a slot is not counted.
   */
  handshakeTimeoutMs?: number;
  /** Connections not yet authenticated (queued ones included); more are closed at once. */
  maxPendingHandshakes?: number;
  /** TLS handshakes under way at once; the others wait for a slot (default 32). */
  maxConcurrentHandshakes?: number;
  /** How long a connection may wait for a handshake slot before it is closed (default 60 s). */
  maxQueueWaitMs?: number;
  now?: () => number;
}
