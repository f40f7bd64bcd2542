import type { KubeTransport } from '../kube/kube-transport.js';
import type { Runner } from '../runner/runner.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { Logger } from '../../common/logger.js';
import type { RequestAuthenticator, TokenReviewer } from './request-authenticator.js';
import type { AccessReviewer, RequestAuthorizer } from './request-authorizer.js';
import type { RunnerStreams } from '../runner/runner-streams.js';
import type { RunnerPodView } from './streaming/stream-target.js';
import type { PodLister } from './pod-lister.js';

/** The kubelet's own view of its health, for `/healthz` and `/readyz`. */
export interface HealthSource {
  /** The process is alive and its loops are not wedged. */
  healthy(): boolean;
  /** Registered with the API server and holding a synced link to the runner. */
  ready(): { ready: boolean; reason: string };
}

/** Everything the kubelet HTTPS API needs; built by the kubelet's main. */
export interface KubeletApiOptions {
  nodeName: string;
  /** Address and port to listen on; the port is KUBELET_PORT. Port 0 picks a free one. */
  listenAddress: string;
  port: number;
  /** PEM serving certificate and key (APISERVER_CERT_LOCATION/KEY_LOCATION, or self-signed). */
  tlsCertPem: string;
  tlsKeyPem: string;
  /** PEM CA bundle for client-certificate authentication; undefined disables it. */
  clientCaPem: string | undefined;
  /** Allow unauthenticated requests (as system:anonymous, still authorised unless authorization is AlwaysAllow). */
  anonymousAuth: boolean;
  /** 'Webhook' checks SubjectAccessReview; 'AlwaysAllow' skips authorisation. */
  authorizationMode: 'Webhook' | 'AlwaysAllow';
  /** Used for TokenReview and SubjectAccessReview. */
  transport: KubeTransport;
  /** Stats and logs come from here (never from a gRPC client directly). */
  runner: Runner;
  pods: PodLister;
  health: HealthSource;
  metrics: KubeletMetrics;
  logger: Logger;
  /** TokenReview client; defaults to one over `transport`. Tests inject fakes. */
  tokenReviewer?: TokenReviewer;
  /** SubjectAccessReview client; defaults to one over `transport`. Tests inject fakes. */
  accessReviewer?: AccessReviewer;
  /** Clock for the auth caches and stats; defaults to Date.now. */
  nowMs?: () => number;
  /** Deadline of each GetStats call; 10 s by default. */
  runnerTimeoutMs?: number;
  /**
   * The oldest collection of the runner's stats that answers /stats/summary
   * and the metrics endpoints (DEFAULT_STATS_MAX_AGE_MS, as cAdvisor's
   * housekeeping); 0 collects for every request.
   */
  statsMaxAgeMs?: number;
  /** This node's phase for collecting stats ahead of scrapes, [0, 1); random by default. */
  statsPhase?: number;
  /** How long `stop` waits for in-flight requests before closing connections; 5 s by default. */
  shutdownTimeoutMs?: number;
  /** A log stream with no output yet sends its 200 headers after this long; 250 ms by default. */
  logHeaderDelayMs?: number;
  /**
   * What the nodes of a fleet share instead of building their own: the
   * authentication and authorisation caches, so that one caller scraping
   * every node costs one TokenReview, not one per node. (Each node's HTTPS
   * server keeps its own TLS context: Node's TLS server takes no shared one.)
   */
  shared?: {
    authenticator?: RequestAuthenticator;
    authorizer?: RequestAuthorizer;
  };
  /** Exec, Attach and PortForward calls; defaults to ones over `runner`. Tests inject fakes. */
  streams?: RunnerStreams;
  /** The runner's pods (defaults to `runner`'s map): exec into a container that is not running fails at once. */
  runnerPods?: RunnerPodView;
  /** How long a SPDY client has to open its streams; 30 s by default, as a kubelet's. */
  streamCreationTimeoutMs?: number;
}
