import type { FlagTable } from '../../common/flags/flag-spec.js';
import { ipAddress, labelValue } from './flag-checks.js';
import { isDnsSubdomain } from './validation.js';

/**
 * The kubelet settings the original virtual-kubelet-cmd had, with its
 * environment variables, and the kubelet API's listen address, in --help
 * order: the node's name and labels, the API server, the kubelet HTTPS API,
 * the walltime and the log verbosity. Part of KUBELET_FLAGS.
 */
export const ORIGINAL_FLAGS = [
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
] as const satisfies FlagTable;
