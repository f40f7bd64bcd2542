import type { FlagTable } from '../../common/flags/flag-spec.js';
import { ipAddress } from './flag-checks.js';

/**
 * The node as the cluster sees it, in --help order: its taints, capacity
 * and labels, the health port, how the kubelet API authenticates and
 * authorises, restart policy, deletion on exit, status updates and the
 * Lease. Part of KUBELET_FLAGS.
 */
export const NODE_FLAGS = [
  {
    name: 'taint',
    type: 'list',
    valueName: 'KEY[=VALUE]:EFFECT',
    default: ['virtual-kubelet.io/provider=mock:NoSchedule'],
    help: 'Node taint; repeatable; replaces the default.',
  },
  { name: 'disable-taint', type: 'bool', default: false, help: 'Register the node without any taint.' },
  { name: 'max-pods', type: 'int', default: 1000, min: 1, max: 1_000_000, help: 'Pod capacity of the node.' },
  {
    name: 'node-labels',
    type: 'list',
    valueName: 'k=v,k2=v2',
    default: [],
    defaultText: 'none',
    help: 'Extra node labels; repeatable.',
  },
  {
    name: 'healthz-port',
    type: 'int',
    default: 10248,
    min: 0,
    max: 65535,
    help: "Port of the plain-HTTP, unauthenticated /healthz and /readyz (0 disables), as the kubelet's --healthz-port.",
  },
  {
    name: 'healthz-bind-address',
    type: 'string',
    valueName: 'IP',
    default: '127.0.0.1',
    validate: ipAddress,
    help: 'Address of the --healthz-port listener (0.0.0.0 for a probe from outside the host).',
  },
  {
    name: 'client-ca-file',
    type: 'string',
    valueName: 'FILE',
    defaultText: 'cluster CA of the kubeconfig',
    help: 'CA bundle for client-certificate authentication on the kubelet HTTPS API.',
  },
  {
    name: 'anonymous-auth',
    type: 'bool',
    default: false,
    help: 'Accept unauthenticated requests on the kubelet HTTPS API as system:anonymous.',
  },
  {
    name: 'authorization-mode',
    type: 'enum',
    values: ['Webhook', 'AlwaysAllow'],
    default: 'Webhook',
    help: 'Webhook (SubjectAccessReview) or AlwaysAllow.',
  },
  {
    name: 'ignore-restart-policy',
    type: 'bool',
    default: false,
    help: "Never restart containers and compute phases as for restartPolicy Never (the original's behaviour).",
  },
  {
    name: 'delete-node-on-exit',
    type: 'bool',
    env: ['VK_CMD_DELETE_NODE_ON_EXIT'],
    default: false,
    help: 'On a clean shutdown (SIGTERM/SIGINT), delete the Node and its Lease once pods are drained, so the node leaves with the allocation.',
  },
  {
    name: 'node-status-update-frequency',
    type: 'duration',
    default: 60,
    min: 1,
    max: 60,
    help: 'Seconds between computing the node status, to find what changed (at most 60); a change is written at once.',
  },
  {
    name: 'node-status-report-frequency',
    type: 'duration',
    default: 300,
    min: 1,
    max: 3600,
    help: "Seconds between node status writes when nothing changed, as a kubelet's nodeStatusReportFrequency (the Lease is the heartbeat).",
  },
  {
    name: 'lease-duration',
    type: 'int',
    valueName: 'SECONDS',
    default: 40,
    min: 1,
    max: 3600,
    help: 'leaseDurationSeconds of the node Lease.',
  },
  {
    name: 'lease-renew-interval',
    type: 'duration',
    default: 10,
    min: 0.1,
    max: 3600,
    help: 'Seconds between Lease renewals.',
  },
] as const satisfies FlagTable;
