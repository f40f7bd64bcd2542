import type { WireNode, WireNodeCondition, WireNodeStatus, WireTaint } from '../kube/wire-types.js';
import type { KubeletConfig } from '../config/kubelet-config.js';
import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import { rfc3339 } from '../kube-time.js';

/** The node's readiness as decided by the node controller. */
export type NodeReadiness = { ready: true } | { ready: false; reason: string; message: string };

/** Host facts; from the runner's GetNodeInfo, or a placeholder before it answered. */
export type HostFacts = Pick<
  NodeInfo__Output,
  | 'cpus'
  | 'memoryBytes'
  | 'ephemeralStorageBytes'
  | 'architecture'
  | 'operatingSystem'
  | 'kernelVersion'
  | 'osImage'
  | 'bootId'
  | 'machineId'
> &
  Partial<
    Pick<NodeInfo__Output, 'cgroupMode' | 'memoryLimitEnforcement' | 'cpuLimitEnforcement' | 'cgroupNote'>
  >;

/** Labels the kubelet owns on its Node; other writers' labels are left alone. */
export function nodeLabels(
  config: Pick<KubeletConfig, 'nodeName' | 'nodeType' | 'site' | 'nodeLabels'>,
  host: Pick<HostFacts, 'architecture' | 'operatingSystem'>,
  walltime: { walltimeSeconds: number; aliveSeconds: number } | undefined,
): Record<string, string> {
  const labels: Record<string, string> = {
    type: 'virtual-kubelet',
    'kubernetes.io/role': 'agent',
    'kubernetes.io/hostname': config.nodeName,
    'kubernetes.io/os': host.operatingSystem || 'linux',
    'kubernetes.io/arch': host.architecture || 'amd64',
    'jiriaf.nodetype': config.nodeType,
    'jiriaf.site': config.site,
  };
  if (walltime) {
    labels['jiriaf.walltime'] = String(walltime.walltimeSeconds);
    labels['jiriaf.alivetime'] = String(walltime.aliveSeconds);
  }
  return { ...labels, ...config.nodeLabels };
}

/** Capacity as a kubelet reports it: cpu cores, memory in Ki, pods, ephemeral-storage in bytes. */
export function nodeCapacity(host: HostFacts, maxPods: number): Record<string, string> {
  return {
    cpu: String(host.cpus),
    memory: `${Math.floor(host.memoryBytes / 1024)}Ki`,
    pods: String(maxPods),
    'ephemeral-storage': `${Math.floor(host.ephemeralStorageBytes / 1024)}Ki`,
  };
}

export function nodeTaints(config: Pick<KubeletConfig, 'taints'>): WireTaint[] {
  return config.taints.map((t) => (t.value === undefined ? { key: t.key, effect: t.effect } : { ...t }));
}

/** The kubelet's own node conditions, in the order a kubelet writes them. */
export const OWN_CONDITION_TYPES = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'] as const;

/**
 * The four conditions the kubelet owns. lastHeartbeatTime is now;
 * lastTransitionTime is kept from `previous` unless the status changed.
 */
export function nodeConditions(
  previous: readonly WireNodeCondition[] | undefined,
  readiness: NodeReadiness,
  nowMs: number,
): WireNodeCondition[] {
  const now = rfc3339(nowMs);
  const desired: Array<Pick<WireNodeCondition, 'type' | 'status' | 'reason' | 'message'>> = [
    {
      type: 'MemoryPressure',
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available',
    },
    {
      type: 'DiskPressure',
      status: 'False',
      reason: 'KubeletHasNoDiskPressure',
      message: 'kubelet has no disk pressure',
    },
    {
      type: 'PIDPressure',
      status: 'False',
      reason: 'KubeletHasSufficientPID',
      message: 'kubelet has sufficient PID available',
    },
    readiness.ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: readiness.reason, message: readiness.message },
  ];
  return desired.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const transition =
      old && old.status === c.status && old.lastTransitionTime !== undefined
        ? rfc3339(Date.parse(old.lastTransitionTime))
        : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: transition };
  });
}

export interface NodeStatusInputs {
  config: Pick<KubeletConfig, 'podIp' | 'maxPods'>;
  host: HostFacts;
  kubeletPort: number;
  version: string;
  conditions: WireNodeCondition[];
}

/** The status fields the kubelet owns (conditions, capacity, addresses, endpoints, nodeInfo). */
export function nodeStatus(inputs: NodeStatusInputs): WireNodeStatus {
  const capacity = nodeCapacity(inputs.host, inputs.config.maxPods);
  return {
    conditions: inputs.conditions,
    capacity,
    allocatable: { ...capacity },
    // InternalIP only: the API server would otherwise try a Hostname address first.
    addresses: [{ type: 'InternalIP', address: inputs.config.podIp }],
    daemonEndpoints: { kubeletEndpoint: { Port: inputs.kubeletPort } },
    nodeInfo: {
      machineID: inputs.host.machineId,
      systemUUID: inputs.host.machineId,
      bootID: inputs.host.bootId,
      kernelVersion: inputs.host.kernelVersion,
      osImage: inputs.host.osImage,
      containerRuntimeVersion: `vk-cmd://${inputs.version}`,
      kubeletVersion: kubeletVersion(inputs.version),
      kubeProxyVersion: '',
      operatingSystem: inputs.host.operatingSystem || 'linux',
      architecture: inputs.host.architecture || 'amd64',
    },
  };
}

/** A semver the API server and kubectl accept, naming vk-cmd. */
export function kubeletVersion(version: string): string {
  return `v1.33.0-vk-cmd-${version.replace(/[^0-9A-Za-z.-]/g, '-')}`;
}

/** The Node object for registration. */
export function buildNode(
  config: Pick<KubeletConfig, 'nodeName' | 'taints'>,
  status: WireNodeStatus,
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): WireNode {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: config.nodeName,
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: config.taints.length > 0 ? { taints: nodeTaints(config) } : {},
    status,
  };
}

/**
 * The status patch body: a strategic merge patch. Conditions merge by type so
 * other writers' conditions survive; addresses are replaced so a stale
 * Hostname address cannot linger.
 */
export function nodeStatusPatch(status: WireNodeStatus): Record<string, unknown> {
  return {
    status: {
      ...status,
      addresses: [...(status.addresses ?? []), { $patch: 'replace' }],
    },
  };
}

/** Placeholder facts used only if the node must be registered before the runner answered. */
export function placeholderHostFacts(arch: string): HostFacts {
  return {
    cpus: 0,
    memoryBytes: 0,
    ephemeralStorageBytes: 0,
    architecture: arch,
    operatingSystem: 'linux',
    kernelVersion: '',
    osImage: '',
    bootId: '',
    machineId: '',
  };
}

/** Node.js `process.arch` in Kubernetes spelling. */
export function kubeArch(nodeArch: string): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return map[nodeArch] ?? nodeArch;
}
