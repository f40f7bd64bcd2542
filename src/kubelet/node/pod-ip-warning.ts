import { isIP } from 'node:net';
import type { WireEvent } from '../kube/wire-types.js';
import { rfc3339 } from '../kube-time.js';

/** The reason of the node event about a loopback pod IP. */
export const LOOPBACK_POD_IP_REASON = 'LoopbackPodIP';

/** Whether an address is loopback (127.0.0.0/8, ::1, IPv4-mapped 127.x), where only this host can reach it. Pure. */
export function isLoopbackAddress(ip: string): boolean {
  const v = ip.trim().toLowerCase();
  if (isIP(v) === 4) return v.startsWith('127.');
  if (isIP(v) === 6) return v === '::1' || /^(0{0,4}:){5}ffff:127\./.test(v) || v.startsWith('::ffff:127.');
  return v === 'localhost';
}

/**
 * What to say when the node's address, which every pod reports as its IP,
 * is loopback; undefined when it is not. Services cannot work then: the
 * EndpointSlice controller refuses loopback endpoints ("may not be in the
 * loopback range") and the API server's proxy to the node fails. Pure.
 */
export function loopbackPodIpWarning(podIp: string): string | undefined {
  if (!isLoopbackAddress(podIp)) return undefined;
  return (
    `The node address ${podIp} (VKUBELET_POD_IP / --pod-ip) is a loopback address, and every pod on this node ` +
    `reports it as its IP: EndpointSlices refuse loopback addresses, so Services will not send traffic to ` +
    `these pods, and nothing off this host can reach them. Start vk-cmd-kubelet with --pod-ip set to an ` +
    `address of the host that the cluster can reach.`
  );
}

/**
 * A Warning event about the Node, as a kubelet records node events: in the
 * default namespace, the involved object's UID being the node name. Pure.
 */
export function nodeWarningEvent(
  nodeName: string,
  reason: string,
  message: string,
  nowMs: number,
): WireEvent {
  const time = rfc3339(nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${nodeName}.${(BigInt(nowMs) * 1_000_000n).toString(16)}`, namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeName },
    reason,
    message,
    type: 'Warning',
    source: { component: 'kubelet', host: nodeName },
    reportingComponent: 'kubelet',
    reportingInstance: nodeName,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}
