/** How a flag's value is read from the command line. */
export type FlagKind = 'string' | 'bool' | 'list';

/** One setting of the kubelet: its flag, aliases, environment variable and help. */
export interface FlagSpec {
  /** Canonical flag name without dashes. */
  name: string;
  aliases?: readonly string[];
  kind: FlagKind;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** Default as shown by --help. */
  defaultText: string;
  help: string;
}

/** Every setting, in --help order. Parsing and help are both driven by this table. */
export const FLAGS: readonly FlagSpec[] = [
  {
    name: 'nodename',
    kind: 'string',
    env: 'NODENAME',
    defaultText: 'host name',
    help: 'Name of the Node object.',
  },
  {
    name: 'provider',
    kind: 'string',
    defaultText: 'mock',
    help: 'Provider; "mock" is the only one (kept for compatibility with the original).',
  },
  {
    name: 'kubeconfig',
    kind: 'string',
    env: 'KUBECONFIG',
    defaultText: '$HOME/.kube/config',
    help: 'Kubeconfig with the credentials used to talk to the API server.',
  },
  {
    name: 'pod-ip',
    kind: 'string',
    env: 'VKUBELET_POD_IP',
    defaultText: 'first non-loopback IPv4',
    help: "The node's InternalIP and every pod's hostIP/podIP; metrics-server and the API server connect to it.",
  },
  {
    name: 'kubelet-port',
    kind: 'string',
    env: 'KUBELET_PORT',
    defaultText: '10250',
    help: 'Port of the kubelet HTTPS API (0 picks a free one).',
  },
  {
    name: 'kubelet-address',
    kind: 'string',
    defaultText: '0.0.0.0',
    help: 'Address the kubelet HTTPS API listens on.',
  },
  {
    name: 'tls-cert-file',
    kind: 'string',
    env: 'APISERVER_CERT_LOCATION',
    defaultText: 'self-signed',
    help: 'Serving certificate of the kubelet HTTPS API (PEM).',
  },
  {
    name: 'tls-private-key-file',
    kind: 'string',
    env: 'APISERVER_KEY_LOCATION',
    defaultText: 'self-signed',
    help: 'Private key of the serving certificate (PEM).',
  },
  {
    name: 'walltime',
    kind: 'string',
    env: 'JIRIAF_WALLTIME',
    defaultText: '0 (none)',
    help: 'Seconds the node lives; labels jiriaf.walltime/jiriaf.alivetime; NotReady at zero. 0 = no limit, or the Slurm job end the runner reports. The deadline is kept on the Node (annotation vk-cmd.jiriaf.org/walltime-deadline) and survives kubelet restarts.',
  },
  {
    name: 'nodetype',
    kind: 'string',
    env: 'JIRIAF_NODETYPE',
    defaultText: '""',
    help: 'Value of the jiriaf.nodetype label.',
  },
  {
    name: 'site',
    kind: 'string',
    env: 'JIRIAF_SITE',
    defaultText: '""',
    help: 'Value of the jiriaf.site label.',
  },
  {
    name: 'klog.v',
    aliases: ['v'],
    kind: 'string',
    defaultText: '0',
    help: 'Log verbosity: 0-1 info, 2-3 debug, 4+ trace.',
  },
  {
    name: 'runner',
    kind: 'string',
    env: 'VK_CMD_RUNNER',
    defaultText: '$XDG_RUNTIME_DIR/vk-cmd/runner.sock, else $HOME/.vk-cmd/runner.sock',
    help: 'Runner address: unix:///path, host:port or tcp://host:port.',
  },
  {
    name: 'runner-ca',
    kind: 'string',
    defaultText: 'system roots',
    help: 'CA bundle that signed the runner TLS certificate.',
  },
  {
    name: 'runner-cert',
    kind: 'string',
    defaultText: 'none',
    help: 'Client certificate for mTLS to the runner.',
  },
  { name: 'runner-key', kind: 'string', defaultText: 'none', help: 'Client key for mTLS to the runner.' },
  {
    name: 'runner-token-file',
    kind: 'string',
    defaultText: 'none',
    help: 'File with a bearer token sent to the runner as "authorization: Bearer <token>".',
  },
  {
    name: 'runner-insecure',
    kind: 'bool',
    defaultText: 'false',
    help: 'Allow a plain-text TCP connection to the runner (unix sockets never use TLS).',
  },
  {
    name: 'runner-unreachable-grace',
    kind: 'string',
    defaultText: '40',
    help: 'Seconds the runner may be unreachable (RunnerUnreachable) or silent (RunnerNotResponding) before the node turns NotReady; it is health-checked every quarter of this (100 ms to 5 s).',
  },
  {
    name: 'taint',
    kind: 'list',
    defaultText: 'virtual-kubelet.io/provider=mock:NoSchedule',
    help: 'Node taint KEY[=VALUE]:EFFECT; repeatable; replaces the default.',
  },
  { name: 'disable-taint', kind: 'bool', defaultText: 'false', help: 'Register the node without any taint.' },
  { name: 'max-pods', kind: 'string', defaultText: '1000', help: 'Pod capacity of the node.' },
  {
    name: 'node-labels',
    kind: 'list',
    defaultText: 'none',
    help: 'Extra node labels k=v,k2=v2; repeatable.',
  },
  {
    name: 'healthz-port',
    kind: 'string',
    defaultText: '10248',
    help: "Port of the plain-HTTP, unauthenticated /healthz and /readyz (0 disables), as the kubelet's --healthz-port.",
  },
  {
    name: 'healthz-bind-address',
    kind: 'string',
    defaultText: '127.0.0.1',
    help: 'Address of the --healthz-port listener (0.0.0.0 for a probe from outside the host).',
  },
  {
    name: 'client-ca-file',
    kind: 'string',
    defaultText: 'cluster CA of the kubeconfig',
    help: 'CA bundle for client-certificate authentication on the kubelet HTTPS API.',
  },
  {
    name: 'anonymous-auth',
    kind: 'bool',
    defaultText: 'false',
    help: 'Accept unauthenticated requests on the kubelet HTTPS API as system:anonymous.',
  },
  {
    name: 'authorization-mode',
    kind: 'string',
    defaultText: 'Webhook',
    help: 'Webhook (SubjectAccessReview) or AlwaysAllow.',
  },
  {
    name: 'ignore-restart-policy',
    kind: 'bool',
    defaultText: 'false',
    help: "Never restart containers and compute phases as for restartPolicy Never (the original's behaviour).",
  },
  {
    name: 'delete-node-on-exit',
    kind: 'bool',
    env: 'VK_CMD_DELETE_NODE_ON_EXIT',
    defaultText: 'false',
    help: 'On a clean shutdown (SIGTERM/SIGINT), delete the Node and its Lease once pods are drained, so the node leaves with the allocation.',
  },
  {
    name: 'node-status-update-frequency',
    kind: 'string',
    defaultText: '60',
    help: 'Seconds between node status updates when nothing changed (at most 60).',
  },
  {
    name: 'lease-duration',
    kind: 'string',
    defaultText: '40',
    help: 'leaseDurationSeconds of the node Lease.',
  },
  {
    name: 'lease-renew-interval',
    kind: 'string',
    defaultText: '10',
    help: 'Seconds between Lease renewals.',
  },
  { name: 'help', aliases: ['h'], kind: 'bool', defaultText: '', help: 'Show this help and exit.' },
  { name: 'version', kind: 'bool', defaultText: '', help: 'Show the version and exit.' },
];

/** The --help text. */
export function helpText(programName: string): string {
  const lines = [
    `Usage: ${programName} [flags]`,
    '',
    'Runs a Kubernetes node whose pods are process groups started by a vk-cmd runner.',
    'Flags override environment variables. Flags take "--flag value" or "--flag=value".',
    '',
    'Flags:',
  ];
  for (const f of FLAGS) {
    const names = [f.name, ...(f.aliases ?? [])].map((n) => `--${n}`).join(', ');
    const value = f.kind === 'bool' ? '' : f.kind === 'list' ? ' VALUE (repeatable)' : ' VALUE';
    lines.push(`  ${names}${value}`);
    const meta = [f.env ? `env ${f.env}` : undefined, f.defaultText ? `default ${f.defaultText}` : undefined]
      .filter(Boolean)
      .join('; ');
    lines.push(`      ${f.help}${meta ? ` (${meta})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
