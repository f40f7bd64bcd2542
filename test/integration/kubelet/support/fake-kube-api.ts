import type { WireEvent, WireLease, WireNode, WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import {
  ApiError,
  type KubeApi,
  type PodInformer,
  type PodInformerHandlers,
} from '../../../../src/kubelet/kube/kube-api.js';
import type { ConfigMapData, SecretData } from '../../../../src/kubelet/pods/object-refs.js';
import { mergePatch, strategicMerge } from './patch-merge.js';

type Json = Record<string, unknown>;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The informer over the fake's pod store; events are delivered as the store changes. */
class FakePodInformer implements PodInformer {
  handlers: PodInformerHandlers | undefined;
  private synced = false;

  constructor(private readonly api: FakeKubeApi) {}

  start(handlers: PodInformerHandlers): void {
    this.handlers = handlers;
    setImmediate(() => {
      for (const pod of this.api.podList()) handlers.add(pod);
      this.synced = true;
      handlers.synced();
    });
  }

  async stop(): Promise<void> {
    this.handlers = undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  list(): readonly WirePod[] {
    return this.api.podList();
  }

  get(namespace: string, name: string): WirePod | undefined {
    return this.api.pod(namespace, name);
  }
}

/**
 * An in-memory API server for the operations of KubeApi, with the semantics
 * the kubelet relies on: 409 on create of an existing object and on a stale
 * lease resourceVersion, UID preconditions on pod status patches and deletes,
 * strategic merge of conditions by type. Every call is logged.
 */
export class FakeKubeApi implements KubeApi {
  readonly calls: Array<{ op: string; atMs: number; detail?: unknown }> = [];
  readonly statusPatches: Array<{ uid: string; atMs: number; status: Json }> = [];
  readonly deletedPods: Array<{ namespace: string; name: string; uid: string }> = [];
  readonly events: WireEvent[] = [];
  readonly nodes = new Map<string, WireNode>();
  readonly leases = new Map<string, WireLease>();
  readonly configMaps = new Map<string, ConfigMapData>();
  readonly secrets = new Map<string, SecretData>();
  private readonly pods = new Map<string, WirePod>();
  private readonly informers: FakePodInformer[] = [];
  private rv = 1;
  private uidSeq = 0;
  /** Fail the next calls of an operation with an HTTP code. */
  readonly failures = new Map<string, { code: number; remaining: number }>();

  private nextRv(): string {
    return String(++this.rv);
  }

  private log(op: string, detail?: unknown): void {
    this.calls.push({ op, atMs: Date.now(), detail });
    const f = this.failures.get(op);
    if (f && f.remaining > 0) {
      f.remaining--;
      throw new ApiError(f.code, `injected failure of ${op}`);
    }
  }

  podList(): WirePod[] {
    return [...this.pods.values()];
  }

  pod(namespace: string, name: string): WirePod | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  private notify(kind: 'add' | 'update' | 'delete', pod: WirePod): void {
    for (const inf of this.informers) inf.handlers?.[kind](pod);
  }

  /** A pod as the scheduler would bind it (creationTimestamp, uid, status Pending). */
  addPod(pod: WirePod): WirePod {
    const stored = clone(pod);
    stored.metadata = {
      namespace: 'default',
      uid: `uid-${++this.uidSeq}`,
      creationTimestamp: new Date().toISOString(),
      ...stored.metadata,
      resourceVersion: this.nextRv(),
    };
    stored.spec!.restartPolicy ??= 'Always';
    stored.status ??= { phase: 'Pending', qosClass: 'BestEffort' };
    this.pods.set(`${stored.metadata.namespace}/${stored.metadata.name}`, stored);
    this.notify('add', stored);
    return stored;
  }

  /** What the API server does on a graceful delete: set deletionTimestamp and the grace period. */
  markDeleting(namespace: string, name: string, gracePeriodSeconds: number): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    const updated = clone(pod);
    updated.metadata!.deletionTimestamp = new Date().toISOString();
    updated.metadata!.deletionGracePeriodSeconds = gracePeriodSeconds;
    updated.metadata!.resourceVersion = this.nextRv();
    this.pods.set(`${namespace}/${name}`, updated);
    this.notify('update', updated);
  }

  /**
   * Another writer patches a pod's status (as the node lifecycle controller's
   * MarkPodsNotReady does): not counted in statusPatches, delivered to informers.
   */
  externalStatusPatch(namespace: string, name: string, status: Json): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    const updated = { ...clone(pod), status: strategicMerge(pod.status, status, 'status') } as WirePod;
    updated.metadata!.resourceVersion = this.nextRv();
    this.pods.set(`${namespace}/${name}`, updated);
    this.notify('update', updated);
  }

  async getNode(name: string): Promise<WireNode | undefined> {
    this.log('getNode');
    return this.nodes.has(name) ? clone(this.nodes.get(name)!) : undefined;
  }

  async createNode(node: WireNode): Promise<WireNode> {
    this.log('createNode', node);
    const name = node.metadata!.name!;
    if (this.nodes.has(name)) throw new ApiError(409, `nodes "${name}" already exists`);
    const stored = clone(node);
    stored.metadata = { ...stored.metadata, uid: `node-uid-${name}`, resourceVersion: this.nextRv() };
    this.nodes.set(name, stored);
    return clone(stored);
  }

  async patchNode(name: string, patch: object): Promise<WireNode> {
    this.log('patchNode', patch);
    const node = this.nodes.get(name);
    if (!node) throw new ApiError(404, 'not found');
    const updated = mergePatch(node, patch) as WireNode;
    updated.metadata!.resourceVersion = this.nextRv();
    this.nodes.set(name, updated);
    return clone(updated);
  }

  async patchNodeStatus(name: string, patch: object): Promise<WireNode> {
    this.log('patchNodeStatus', patch);
    const node = this.nodes.get(name);
    if (!node) throw new ApiError(404, 'not found');
    const updated = {
      ...node,
      status: strategicMerge(node.status, (patch as { status: unknown }).status, 'status'),
    } as WireNode;
    updated.metadata!.resourceVersion = this.nextRv();
    this.nodes.set(name, updated);
    return clone(updated);
  }

  async deleteNode(name: string): Promise<boolean> {
    this.log('deleteNode', { name });
    return this.nodes.delete(name);
  }

  async getLease(namespace: string, name: string): Promise<WireLease | undefined> {
    this.log('getLease');
    const lease = this.leases.get(`${namespace}/${name}`);
    return lease ? clone(lease) : undefined;
  }

  async createLease(lease: WireLease): Promise<WireLease> {
    this.log('createLease', lease);
    const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
    if (this.leases.has(key)) throw new ApiError(409, 'already exists');
    const stored = clone(lease);
    stored.metadata!.resourceVersion = this.nextRv();
    this.leases.set(key, stored);
    return clone(stored);
  }

  async replaceLease(lease: WireLease): Promise<WireLease> {
    this.log('replaceLease', lease);
    const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
    const existing = this.leases.get(key);
    if (!existing) throw new ApiError(404, 'not found');
    if (existing.metadata!.resourceVersion !== lease.metadata!.resourceVersion)
      throw new ApiError(409, 'conflict');
    const stored = clone(lease);
    stored.metadata!.resourceVersion = this.nextRv();
    this.leases.set(key, stored);
    return clone(stored);
  }

  async deleteLease(namespace: string, name: string): Promise<boolean> {
    this.log('deleteLease', { namespace, name });
    return this.leases.delete(`${namespace}/${name}`);
  }

  podInformer(): PodInformer {
    const informer = new FakePodInformer(this);
    this.informers.push(informer);
    return informer;
  }

  async patchPodStatus(namespace: string, name: string, patch: object): Promise<WirePod> {
    this.log('patchPodStatus', patch);
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new ApiError(404, 'not found');
    const body = patch as { metadata?: { uid?: string }; status: Json };
    if (body.metadata?.uid && body.metadata.uid !== pod.metadata!.uid)
      throw new ApiError(409, 'uid precondition');
    this.statusPatches.push({ uid: pod.metadata!.uid!, atMs: Date.now(), status: clone(body.status) });
    const updated = { ...clone(pod), status: strategicMerge(pod.status, body.status, 'status') } as WirePod;
    updated.metadata!.resourceVersion = this.nextRv();
    this.pods.set(`${namespace}/${name}`, updated);
    this.notify('update', updated);
    return clone(updated);
  }

  async deletePod(namespace: string, name: string, uid: string): Promise<boolean> {
    this.log('deletePod', { namespace, name, uid });
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) return false;
    if (pod.metadata!.uid !== uid) return false;
    this.pods.delete(`${namespace}/${name}`);
    this.deletedPods.push({ namespace, name, uid });
    this.notify('delete', pod);
    return true;
  }

  async getConfigMap(namespace: string, name: string): Promise<ConfigMapData | null> {
    this.log('getConfigMap', { namespace, name });
    return this.configMaps.get(`${namespace}/${name}`) ?? null;
  }

  async getSecret(namespace: string, name: string): Promise<SecretData | null> {
    this.log('getSecret', { namespace, name });
    return this.secrets.get(`${namespace}/${name}`) ?? null;
  }

  async createEvent(_namespace: string, event: WireEvent): Promise<WireEvent> {
    this.log('createEvent', event);
    this.events.push(clone(event));
    return event;
  }

  async patchEvent(_namespace: string, name: string, patch: object): Promise<WireEvent> {
    this.log('patchEvent', patch);
    const event = this.events.find((e) => e.metadata.name === name);
    if (!event) throw new ApiError(404, 'not found');
    Object.assign(event, patch);
    return clone(event);
  }
}
