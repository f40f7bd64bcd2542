import net from 'node:net';
import { STANDARD_FLAGS, type FlagTable } from '../../common/flags/flag-spec.js';
import { helpText } from '../../common/flags/help-text.js';
import { isDnsSubdomain, isLabelValue } from './validation.js';

const ipAddress = (value: string): string | undefined =>
  net.isIP(value) === 0 ? `"${value}" is not an IP address` : undefined;
const hostPort = (value: string): string | undefined => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  return match && port <= 65535 ? undefined : `"${value}" is not HOST:PORT`;
};
const labelValue = (value: string): string | undefined =>
  isLabelValue(value) ? undefined : `"${value}" is not a valid label value`;

/**
 * Every setting of the kubelet, in --help order: the original's variables and
 * flags, then vk-cmd's own. Parsing, help and the README check all read it;
 * kubelet-config.ts turns the values into a KubeletConfig.
 */
export const KUBELET_FLAGS = [
  {
    name: 'nodename',
    type: 'string',
    env: ['NODENAME'],
    defaultText: 'host name',
    validate: (value: string) =>
      isDnsSubdomain(value) ? undefined : `"${value}" is not a valid node name (lower-case DNS subdomain)`,
    help: 'Name of the Node object.',
  },
  {
    name: 'provider',
    type: 'enum',
    values: ['mock'],
    default: 'mock',
    help: 'Provider; "mock" is the only one (kept for compatibility with the original).',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    env: ['KUBECONFIG'],
    valueName: 'FILE',
    defaultText: '$HOME/.kube/config',
    help: 'Kubeconfig with the credentials used to talk to the API server.',
  },
  {
    name: 'pod-ip',
    type: 'string',
    env: ['VKUBELET_POD_IP'],
    valueName: 'IP',
    defaultText: 'first non-loopback IPv4',
    validate: ipAddress,
    help: "The node's InternalIP and every pod's hostIP/podIP; metrics-server and the API server connect to it.",
  },
  {
    name: 'kubelet-port',
    type: 'int',
    env: ['KUBELET_PORT'],
    default: 10250,
    min: 0,
    max: 65535,
    help: 'Port of the kubelet HTTPS API (0 picks a free one).',
  },
  {
    name: 'kubelet-address',
    type: 'string',
    valueName: 'IP',
    default: '0.0.0.0',
    validate: ipAddress,
    help: 'Address the kubelet HTTPS API listens on.',
  },
  {
    name: 'tls-cert-file',
    type: 'string',
    env: ['APISERVER_CERT_LOCATION'],
    valueName: 'FILE',
    defaultText: 'self-signed',
    help: 'Serving certificate of the kubelet HTTPS API (PEM).',
  },
  {
    name: 'tls-private-key-file',
    type: 'string',
    env: ['APISERVER_KEY_LOCATION'],
    valueName: 'FILE',
    defaultText: 'self-signed',
    help: 'Private key of the serving certificate (PEM).',
  },
  {
    name: 'walltime',
    type: 'int',
    env: ['JIRIAF_WALLTIME'],
    valueName: 'SECONDS',
    default: 0,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    defaultText: '0 (none)',
    help: 'Seconds the node lives; labels jiriaf.walltime/jiriaf.alivetime; NotReady at zero. 0 = no limit, or the Slurm job end the runner reports. The deadline is kept on the Node (annotation vk-cmd.jiriaf.org/walltime-deadline) and survives kubelet restarts.',
  },
  {
    name: 'nodetype',
    type: 'string',
    env: ['JIRIAF_NODETYPE'],
    default: '',
    defaultText: '""',
    validate: labelValue,
    help: 'Value of the jiriaf.nodetype label.',
  },
  {
    name: 'site',
    type: 'string',
    env: ['JIRIAF_SITE'],
    default: '',
    defaultText: '""',
    validate: labelValue,
    help: 'Value of the jiriaf.site label.',
  },
  {
    name: 'klog.v',
    aliases: ['v'],
    type: 'int',
    default: 0,
    min: -10,
    max: 10,
    help: 'Log verbosity: 0-1 info, 2-3 debug, 4+ trace.',
  },
  {
    name: 'runner',
    type: 'string',
    env: ['VK_CMD_RUNNER'],
    valueName: 'ADDR',
    defaultText: '$XDG_RUNTIME_DIR/vk-cmd/runner.sock, else $HOME/.vk-cmd/runner.sock',
    help: 'Runner address: unix:///path, host:port or tcp://host:port.',
  },
  {
    name: 'runner-ca',
    type: 'string',
    valueName: 'FILE',
    defaultText: 'system roots',
    help: 'CA bundle that signed the runner TLS certificate.',
  },
  {
    name: 'runner-cert',
    type: 'string',
    valueName: 'FILE',
    defaultText: 'none',
    help: 'Client certificate for mTLS to the runner.',
  },
  {
    name: 'runner-key',
    type: 'string',
    valueName: 'FILE',
    defaultText: 'none',
    help: 'Client key for mTLS to the runner.',
  },
  {
    name: 'runner-token-file',
    type: 'string',
    valueName: 'FILE',
    defaultText: 'none',
    help: 'File with a bearer token sent to the runner as "authorization: Bearer <token>".',
  },
  {
    name: 'runner-insecure',
    type: 'bool',
    default: false,
    help: 'Allow a plain-text TCP connection to the runner (unix sockets never use TLS).',
  },
  {
    name: 'runner-unreachable-grace',
    type: 'duration',
    default: 40,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    help: 'Seconds the runner may be unreachable (RunnerUnreachable) or silent (RunnerNotResponding) before the node turns NotReady; it is health-checked every quarter of this (100 ms to 5 s).',
  },
  {
    name: 'accept-runners',
    type: 'string',
    valueName: 'HOST:PORT',
    defaultText: 'off',
    validate: hostPort,
    help: 'Accept runners that dial in (vk-cmd-runner --connect https://HOST:PORT) on this TLS address instead of dialling --runner. Needs --accept-runners-cert/--accept-runners-key and --accept-runners-tokens and/or --accept-runners-client-ca.',
  },
  {
    name: 'accept-runners-cert',
    type: 'string',
    valueName: 'FILE',
    help: 'Serving certificate (PEM) of --accept-runners; runners verify it with their --connect-ca.',
  },
  {
    name: 'accept-runners-key',
    type: 'string',
    valueName: 'FILE',
    help: 'Private key (PEM) of --accept-runners-cert; mode 0600 or stricter.',
  },
  {
    name: 'accept-runners-tokens',
    type: 'string',
    valueName: 'FILE',
    help: 'Runner tokens, one "TOKEN NODE-NAME-GLOB" per line (# comments); a runner presenting TOKEN may serve the nodes the glob matches (* and ?). Mode 0600 or stricter; re-read when it changes.',
  },
  {
    name: 'accept-runners-client-ca',
    type: 'string',
    valueName: 'FILE',
    help: 'CA bundle for runner client certificates (mTLS); the CN names the node the runner may serve, as system:node:<name> or the plain name.',
  },
  {
    name: 'accept-runners-handshake-timeout',
    type: 'duration',
    default: 10,
    min: 0.1,
    max: 300,
    help: 'Seconds a dialling runner has from connecting to a complete, authenticated request (TLS included); slower ones are dropped.',
  },
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
    help: 'Seconds between node status updates when nothing changed (at most 60).',
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
  ...STANDARD_FLAGS,
] as const satisfies FlagTable;

/** The kubelet's --help text. */
export function kubeletHelpText(program = 'vk-cmd-kubelet'): string {
  return helpText(KUBELET_FLAGS, {
    program,
    about: ['Runs a Kubernetes node whose pods are process groups started by a vk-cmd runner.'],
  });
}
