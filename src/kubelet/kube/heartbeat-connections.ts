/**
 * How many connections the heartbeat client (Lease requests only) may open.
 *
 * A Lease renewal is one request on an HTTP/1.1 connection, so at most one
 * renewal per connection is in flight. Every node renews once per renew
 * interval, and a renewal waits for a free connection: when the nodes renew
 * faster than the connections complete renewals, each renewal waits longer
 * than the one before, and a Lease comes due while its renewal still queues.
 * A renewal is an etcd write on the API server: tens of milliseconds on a
 * busy control plane. With 1,000 fleet nodes on 4 connections, renewals came
 * 5.8-7.1 s late; on the 34 this function gives, with each renewal due an
 * interval after the last renewTime, 0.16-0.6 s in the idle windows of three
 * complete fleet runs (load 1.1-4.5 at start; bench/README.md,
 * "Lease renewals at 1,000 nodes").
 *
 * So each connection is given RENEWALS_PER_CONNECTION_PER_SECOND renewals a
 * second (a renewal may then take about 330 ms before any queue forms), for
 * the most nodes the process can serve. The pool opens connections only
 * while requests wait, so a high ceiling costs nothing while the API server
 * answers fast.
 */

/** Renewals a second one connection is expected to carry, so a renewal may take about 330 ms. */
export const RENEWALS_PER_CONNECTION_PER_SECOND = 3;
/** The fewest connections: a single kubelet's heartbeat client. */
export const MIN_HEARTBEAT_CONNECTIONS = 4;
/** The most: a ceiling on sockets (and TLS sessions) the API server keeps for one kubelet's Leases. */
export const MAX_HEARTBEAT_CONNECTIONS = 64;

/**
 * Connections for `maxNodes` nodes renewing every `renewIntervalMs`,
 * between MIN_HEARTBEAT_CONNECTIONS and MAX_HEARTBEAT_CONNECTIONS. Pure.
 */
export function heartbeatConnections(maxNodes: number, renewIntervalMs: number): number {
  if (!(maxNodes > 0) || !(renewIntervalMs > 0)) return MIN_HEARTBEAT_CONNECTIONS;
  const renewalsPerSecond = (maxNodes * 1000) / renewIntervalMs;
  const needed = Math.ceil(renewalsPerSecond / RENEWALS_PER_CONNECTION_PER_SECOND);
  return Math.min(MAX_HEARTBEAT_CONNECTIONS, Math.max(MIN_HEARTBEAT_CONNECTIONS, needed));
}
