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

/** Pod IPs already warned about in this process. */
const warnedPodIps = new Set<string>();

/**
 * Whether this process still has to log the loopback warning for `podIp`:
 * true the first time only. A --fleet kubelet's nodes all share the
 * process's --pod-ip, so a thousand nodes say it once in the log (each
 * still records its own Node event).
 */
export function firstLoopbackWarning(podIp: string): boolean {
  if (warnedPodIps.has(podIp)) return false;
  warnedPodIps.add(podIp);
  return true;
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
