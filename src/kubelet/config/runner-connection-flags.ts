import type { FlagTable } from '../../common/flags/flag-spec.js';
import { hostPort, portRange } from './flag-checks.js';

/**
 * How the kubelet reaches its runner(s), in --help order: dialling one
 * (--runner and its TLS, token and grace), or accepting runners that dial
 * in (--accept-runners), one node per runner with --fleet. Part of
 * KUBELET_FLAGS.
 */
export const RUNNER_CONNECTION_FLAGS = [
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
    help: 'Seconds the runner may be unreachable (RunnerUnreachable) or silent (RunnerNotResponding) before the node turns NotReady; it is health-checked every quarter of this (100 ms to 10 s).',
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
    name: 'fleet',
    type: 'bool',
    default: false,
    help: 'Serve one node per runner that dials in (--accept-runners), named as the runner asks and its credential grants, instead of the one node --nodename. Each node gets its own Lease, pods and kubelet API port (--node-port-range).',
  },
  {
    name: 'node-port-range',
    type: 'string',
    valueName: 'FROM-TO',
    defaultText: 'none',
    validate: portRange,
    help: "With --fleet: the ports of the nodes' kubelet HTTPS APIs, one per node, each reported in its Node's daemonEndpoints (a node keeps its port across kubelet restarts when it is free).",
  },
] as const satisfies FlagTable;
