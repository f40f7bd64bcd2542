import { STANDARD_FLAGS, type FlagTable } from '../common/flags/flag-spec.js';
import { helpText } from '../common/flags/help-text.js';
import { isNodeName } from '../common/node-name.js';

const nonEmpty = (value: string): string | undefined => (value === '' ? 'must not be empty' : undefined);

/**
 * Every flag of the runner, in --help order. Parsing, help and the README
 * check all read it; runner-config.ts turns the values into a RunnerConfig.
 */
export const RUNNER_FLAGS = [
  {
    name: 'listen',
    type: 'string',
    valueName: 'ADDR',
    default: 'unix://',
    defaultText:
      'unix://, a socket in a 0700 directory: $XDG_RUNTIME_DIR/vk-cmd/runner.sock, else $HOME/.vk-cmd/runner.sock',
    validate: nonEmpty,
    help: 'Where to serve: unix://, unix:///abs/path.sock or tcp://HOST:PORT. With --connect the runner listens only when --listen unix:// is given.',
  },
  {
    name: 'connect',
    type: 'string',
    valueName: 'URL',
    validate: nonEmpty,
    help: 'Dial the kubelet at https://HOST:PORT (its --accept-runners) instead of listening, and serve it over that connection; reconnects with back-off. Needs --token-file or --tls-cert/--tls-key.',
  },
  {
    name: 'connect-ca',
    type: 'string',
    valueName: 'FILE',
    defaultText: 'system roots',
    validate: nonEmpty,
    help: "CA bundle that verifies the kubelet's --accept-runners certificate (with --connect).",
  },
  {
    name: 'node-name',
    type: 'string',
    valueName: 'NAME',
    defaultText: 'host name',
    validate: (value: string) =>
      isNodeName(value) ? undefined : `"${value}" is not a valid node name (lower-case DNS subdomain)`,
    help: 'With --connect: the node this runner asks the kubelet to serve; the credential must grant it.',
  },
  {
    name: 'delete-node-on-exit',
    type: 'bool',
    default: false,
    help: 'With --connect: when the runner stops (SIGTERM, SIGINT), ask the kubelet (started with --fleet) to delete its Node and Lease, as a node that leaves with its allocation. Pods are not stopped by this.',
  },
  {
    name: 'tls-cert',
    type: 'string',
    valueName: 'FILE',
    validate: nonEmpty,
    help: 'Server certificate (PEM); required for tcp://. With --connect: the client certificate presented to the kubelet (mTLS).',
  },
  {
    name: 'tls-key',
    type: 'string',
    valueName: 'FILE',
    validate: nonEmpty,
    help: 'Private key of --tls-cert (PEM); required for tcp://. With --connect it must be mode 0600 or stricter.',
  },
  {
    name: 'client-ca',
    type: 'string',
    valueName: 'FILE',
    validate: nonEmpty,
    help: 'CA bundle; clients must present a certificate it signed.',
  },
  {
    name: 'token-file',
    type: 'string',
    valueName: 'FILE',
    validate: nonEmpty,
    help: 'Bearer token (mode 0600 or stricter). With tcp://, clients send "authorization: Bearer <token>"; with --connect, the token the runner presents to the kubelet.',
  },
  {
    name: 'insecure',
    type: 'bool',
    default: false,
    help: 'Allow tcp:// without TLS or client credential (any local user can then run code as you).',
  },
  {
    name: 'root-dir',
    type: 'string',
    valueName: 'DIR',
    defaultText: '$HOME',
    validate: nonEmpty,
    help: 'Pod directories live in DIR/<namespace>/<pod>.',
  },
  {
    name: 'state-dir',
    type: 'string',
    valueName: 'DIR',
    defaultText: '<root-dir>/.vk-cmd',
    validate: nonEmpty,
    help: "The runner's own state (one record per pod), read to re-adopt pods after a restart.",
  },
  {
    name: 'stderr-policy',
    type: 'enum',
    values: ['fail', 'ignore'],
    default: 'fail',
    help: "fail: exit 0 with a non-empty stderr file is stderrNotEmpty, exit code 3 (the original's rule); ignore: it is Completed.",
  },
  {
    name: 'keep-pod-dirs',
    type: 'bool',
    default: false,
    help: 'Keep pod directories after the pod is deleted.',
  },
  {
    name: 'cgroups',
    type: 'enum',
    values: ['auto', 'v2', 'v1', 'none'],
    default: 'auto',
    help: "Where containers with memory or CPU limits run: auto picks a delegated cgroup v2 subtree, else a writable cgroup v1 memory hierarchy, else none; v2 or v1 only that one; none: memory limits by the runner's watchdog, CPU limits not enforced.",
  },
  {
    name: 'cgroup-parent',
    type: 'string',
    valueName: 'PATH',
    defaultText: "the runner's own cgroup, or the nearest writable ancestor",
    validate: (value: string): string | undefined =>
      value.startsWith('/') ? undefined : 'must be a cgroup path starting with /, as in /proc/self/cgroup',
    help: 'Cgroup (path as /proc/self/cgroup shows it, in every hierarchy used) to create vk-cmd/<pod uid>/<container> under.',
  },
  {
    name: 'v',
    type: 'int',
    default: 0,
    min: -10,
    max: Number.MAX_SAFE_INTEGER,
    help: 'Log verbosity: 0-1 info, 2-3 debug, 4+ trace.',
  },
  {
    name: 'max-starts-in-flight',
    type: 'int',
    default: 16,
    min: 1,
    max: 1_000,
    help: 'Container starts sent to the launcher and not yet answered, in all (the start queue).',
  },
  {
    name: 'max-pod-starts-in-flight',
    type: 'int',
    default: 4,
    min: 1,
    max: 1_000,
    help: 'Container starts in flight of one pod; pods take turns (round-robin) for the rest.',
  },
  {
    name: 'shutdown-timeout-ms',
    type: 'int',
    default: 5_000,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    help: 'Graceful shutdown budget on SIGTERM (pods keep running).',
  },
  {
    name: 'backoff-initial-ms',
    type: 'int',
    default: 10_000,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    help: "First restart back-off, as a kubelet's (for tests).",
  },
  {
    name: 'backoff-max-ms',
    type: 'int',
    default: 300_000,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    help: "Restart back-off cap, as a kubelet's (for tests).",
  },
  ...STANDARD_FLAGS,
] as const satisfies FlagTable;

/** The runner's --help text. */
export function runnerHelpText(): string {
  return helpText(RUNNER_FLAGS, {
    program: 'vk-cmd-runner',
    about: [
      'Runs pods as process groups on this host and serves the vkcmd.runner.v1.Runner',
      'gRPC API (plus grpc.health.v1.Health and server reflection), on a socket it',
      'listens on or, with --connect, over a connection it dials to the kubelet.',
    ],
  });
}
