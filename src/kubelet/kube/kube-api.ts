import type { WireEvent, WireLease, WireNode, WirePod } from './wire-types.js';
import type { ConfigMapData, SecretData } from '../pods/object-refs.js';
import type { WrittenVersion } from './written-version.js';

/**
 * An API server answer other than success; `code` is the HTTP status (0 = no
 * answer). Callers read it through `kubeErrorKind` (kube-errors.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The outcome label of a failed request for the request counter: its HTTP code, or "<error>" when none came. */
export const requestOutcome = (err: unknown): string =>
  err instanceof ApiError && err.code ? String(err.code) : '<error>';

/** Events of the pod informer. */
export interface PodInformerHandlers {
  add(pod: WirePod): void;
  update(pod: WirePod): void;
  delete(pod: WirePod): void;
  /** The first full list has been delivered (and again after every relist). */
  synced(): void;
}

/**
 * The cache of pods bound to this node (list + watch on spec.nodeName).
 * Objects handed out are shared and must not be mutated.
 */
export interface PodInformer {
  /** Starts listing and watching; handlers are called from then on. Never throws; retries on its own. */
  start(handlers: PodInformerHandlers): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
  list(): readonly WirePod[];
  get(namespace: string, name: string): WirePod | undefined;
}

/**
 * The few API server operations the kubelet uses. Every call may reject with
 * ApiError (classified by `kubeErrorKind`); none retries on its own. Implementations count each request in
 * apiserverRequestsTotal.
 */
export interface KubeApi {
  getNode(name: string): Promise<WireNode | undefined>;
  /** Rejects with a `conflict` ApiError when the node exists. */
  createNode(node: WireNode): Promise<WireNode>;
  /** Merge patch of the Node object (labels, taints). */
  patchNode(name: string, mergePatch: object): Promise<WireNode>;
  /** Strategic merge patch of the `status` subresource. */
  patchNodeStatus(name: string, strategicPatch: object): Promise<WireNode>;
  /** Resolves false when the node was already gone. */
  deleteNode(name: string): Promise<boolean>;

  getLease(namespace: string, name: string): Promise<WireLease | undefined>;
  createLease(lease: WireLease): Promise<WireLease>;
  /** Rejects with a `conflict` ApiError when the resourceVersion is stale. */
  replaceLease(lease: WireLease): Promise<WireLease>;
  /** Resolves false when the lease was already gone. */
  deleteLease(namespace: string, name: string): Promise<boolean>;

  /** A new informer over pods with spec.nodeName=nodeName. */
  podInformer(nodeName: string): PodInformer;
  /** Strategic merge patch of the pod's `status` subresource; resolves with the pod's new resourceVersion. */
  patchPodStatus(namespace: string, name: string, strategicPatch: object): Promise<WrittenVersion>;
  /** Deletes with gracePeriodSeconds 0 and a UID precondition; resolves false if the pod was gone or replaced. */
  deletePod(namespace: string, name: string, uid: string): Promise<boolean>;

  /** null when the object does not exist. */
  getConfigMap(namespace: string, name: string): Promise<ConfigMapData | null>;
  getSecret(namespace: string, name: string): Promise<SecretData | null>;

  /** Resolves once the event is created; what it resolves with is not to be read (the client skips the answer). */
  createEvent(namespace: string, event: WireEvent): Promise<unknown>;
  /** Merge patch of an event (count and lastTimestamp of a repeated event); resolves as createEvent does. */
  patchEvent(namespace: string, name: string, mergePatch: object): Promise<unknown>;
}
