import { expect } from 'chai';
import { parseKubeletConfig, type KubeletConfig } from '../../../../src/kubelet/config/kubelet-config.js';
import { host, parse } from '../support/config-host.js';

/**
 * Every flag, alias and environment variable the README and docs/operations.md
 * list, in every form the original's scripts and the docs write, parses to
 * the configuration the kubelet has always built from it. Each case states the
 * whole configuration: the defaults below plus its own fields.
 */
const DEFAULTS: KubeletConfig = {
  nodeName: 'login01',
  kubeconfigPath: '/home/u/.kube/config',
  podIp: '192.0.2.10',
  kubeletPort: 10250,
  kubeletAddress: '0.0.0.0',
  tlsCertPath: undefined,
  tlsKeyPath: undefined,
  walltimeSeconds: 0,
  nodeType: '',
  site: '',
  verbosity: 0,
  runner: {
    target: 'unix:///home/u/.vk-cmd/runner.sock',
    transport: 'unix',
    insecure: false,
    caPath: undefined,
    certPath: undefined,
    keyPath: undefined,
    tokenFile: undefined,
  },
  runnerUnreachableGraceSeconds: 40,
  taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
  maxPods: 1000,
  nodeLabels: {},
  clientCaFile: undefined,
  anonymousAuth: false,
  authorizationMode: 'Webhook',
  healthzPort: 10248,
  healthzBindAddress: '127.0.0.1',
  ignoreRestartPolicy: false,
  deleteNodeOnExit: false,
  nodeStatusUpdateFrequencySeconds: 60,
  nodeStatusReportFrequencySeconds: 300,
  leaseDurationSeconds: 40,
  leaseRenewIntervalSeconds: 10,
};

const START_SH_ENV = {
  APISERVER_CERT_LOCATION: '/cert',
  APISERVER_KEY_LOCATION: '/key',
  KUBECONFIG: '/kc',
  NODENAME: 'vk',
  VKUBELET_POD_IP: '172.17.0.1',
  KUBELET_PORT: '10255',
  JIRIAF_WALLTIME: '60',
  JIRIAF_NODETYPE: 'cpu',
  JIRIAF_SITE: 'Local',
};

const TCP_RUNNER = {
  target: 'h:9000',
  transport: 'tcp' as const,
  insecure: false,
  caPath: undefined,
  certPath: undefined,
  keyPath: undefined,
  tokenFile: undefined,
};

const cases: Array<{ argv: string[]; env?: Record<string, string>; want: Partial<KubeletConfig> }> = [
  { argv: [], want: {} },
  // The wiki's start.sh: its variables and its command line.
  {
    argv: ['--nodename', 'vk', '--provider', 'mock', '--klog.v', '3'],
    env: START_SH_ENV,
    want: {
      nodeName: 'vk',
      kubeconfigPath: '/kc',
      podIp: '172.17.0.1',
      kubeletPort: 10255,
      tlsCertPath: '/cert',
      tlsKeyPath: '/key',
      walltimeSeconds: 60,
      nodeType: 'cpu',
      site: 'Local',
      verbosity: 3,
    },
  },
  // Each variable alone, then its flag, in Go's and GNU's spellings, winning over it.
  { argv: [], env: { NODENAME: 'vk-1' }, want: { nodeName: 'vk-1' } },
  { argv: ['--nodename', 'a'], env: { NODENAME: 'b' }, want: { nodeName: 'a' } },
  { argv: ['--nodename=a'], env: { NODENAME: 'b' }, want: { nodeName: 'a' } },
  { argv: ['-nodename', 'a'], want: { nodeName: 'a' } },
  { argv: ['-nodename=a'], want: { nodeName: 'a' } },
  { argv: [], env: { NODENAME: '' }, want: {} },
  { argv: [], env: { KUBECONFIG: '/kc' }, want: { kubeconfigPath: '/kc' } },
  { argv: [], env: { KUBECONFIG: '/missing:/kc' }, want: { kubeconfigPath: '/kc' } },
  { argv: ['--kubeconfig', '/kc'], env: { KUBECONFIG: '/missing' }, want: { kubeconfigPath: '/kc' } },
  { argv: ['-kubeconfig=/kc'], want: { kubeconfigPath: '/kc' } },
  { argv: [], env: { VKUBELET_POD_IP: '10.0.0.2' }, want: { podIp: '10.0.0.2' } },
  { argv: ['--pod-ip', '10.0.0.1'], env: { VKUBELET_POD_IP: '10.0.0.2' }, want: { podIp: '10.0.0.1' } },
  { argv: ['-pod-ip=fd00::1'], want: { podIp: 'fd00::1' } },
  { argv: [], env: { KUBELET_PORT: '10255' }, want: { kubeletPort: 10255 } },
  { argv: [], env: { KUBELET_PORT: ' 10255 ' }, want: { kubeletPort: 10255 } },
  { argv: ['--kubelet-port', '1'], env: { KUBELET_PORT: '2' }, want: { kubeletPort: 1 } },
  { argv: ['--kubelet-port=0'], want: { kubeletPort: 0 } },
  {
    argv: [],
    env: { APISERVER_CERT_LOCATION: '/cert', APISERVER_KEY_LOCATION: '/key' },
    want: { tlsCertPath: '/cert', tlsKeyPath: '/key' },
  },
  {
    argv: ['--tls-cert-file', '/cert', '--tls-private-key-file=/key'],
    env: { APISERVER_CERT_LOCATION: '/missing', APISERVER_KEY_LOCATION: '/missing' },
    want: { tlsCertPath: '/cert', tlsKeyPath: '/key' },
  },
  { argv: [], env: { JIRIAF_WALLTIME: '3600' }, want: { walltimeSeconds: 3600 } },
  { argv: ['--walltime', '5'], env: { JIRIAF_WALLTIME: '6' }, want: { walltimeSeconds: 5 } },
  { argv: ['-walltime=0'], env: { JIRIAF_WALLTIME: '6' }, want: { walltimeSeconds: 0 } },
  { argv: [], env: { JIRIAF_NODETYPE: 'gpu' }, want: { nodeType: 'gpu' } },
  { argv: ['--nodetype', 'cpu'], env: { JIRIAF_NODETYPE: 'gpu' }, want: { nodeType: 'cpu' } },
  { argv: ['--nodetype='], env: { JIRIAF_NODETYPE: 'gpu' }, want: { nodeType: '' } },
  { argv: [], env: { JIRIAF_SITE: 'nersc' }, want: { site: 'nersc' } },
  { argv: ['--site=ornl'], env: { JIRIAF_SITE: 'nersc' }, want: { site: 'ornl' } },
  {
    argv: [],
    env: { VK_CMD_RUNNER: 'unix:///tmp/r.sock' },
    want: { runner: { ...DEFAULTS.runner, target: 'unix:///tmp/r.sock' } },
  },
  {
    argv: ['--runner', '/tmp/a.sock'],
    env: { VK_CMD_RUNNER: 'unix:///tmp/b.sock' },
    want: { runner: { ...DEFAULTS.runner, target: 'unix:///tmp/a.sock' } },
  },
  {
    argv: [],
    env: { XDG_RUNTIME_DIR: '/run/user/1' },
    want: { runner: { ...DEFAULTS.runner, target: 'unix:///run/user/1/vk-cmd/runner.sock' } },
  },
  { argv: ['--runner', 'h:9000', '--runner-insecure'], want: { runner: { ...TCP_RUNNER, insecure: true } } },
  {
    argv: [
      '--runner=tcp://h:9000',
      '--runner-ca',
      '/ca',
      '--runner-cert',
      '/cert',
      '--runner-key=/key',
      '--runner-token-file',
      '/token',
    ],
    want: {
      runner: { ...TCP_RUNNER, caPath: '/ca', certPath: '/cert', keyPath: '/key', tokenFile: '/token' },
    },
  },
  { argv: ['--runner-unreachable-grace', '2.5'], want: { runnerUnreachableGraceSeconds: 2.5 } },
  { argv: ['--runner-unreachable-grace=90s'], want: { runnerUnreachableGraceSeconds: 90 } },
  { argv: ['--provider', 'mock'], want: {} },
  { argv: ['-provider=mock'], want: {} },
  // --klog.v and its aliases, every spelling.
  { argv: ['--klog.v', '3'], want: { verbosity: 3 } },
  { argv: ['--klog.v=3'], want: { verbosity: 3 } },
  { argv: ['-klog.v', '4'], want: { verbosity: 4 } },
  { argv: ['-klog.v=5'], want: { verbosity: 5 } },
  { argv: ['--v', '4'], want: { verbosity: 4 } },
  { argv: ['--v=4'], want: { verbosity: 4 } },
  { argv: ['-v', '2'], want: { verbosity: 2 } },
  { argv: ['-v=2'], want: { verbosity: 2 } },
  // A value that starts with a dash is still the flag's value.
  { argv: ['--v', '-1'], want: { verbosity: -1 } },
  { argv: ['--klog.v', '1', '--v', '6'], want: { verbosity: 6 } },
  {
    argv: ['--taint', 'a=b:NoExecute', '--taint', 'c:PreferNoSchedule'],
    want: {
      taints: [
        { key: 'a', value: 'b', effect: 'NoExecute' },
        { key: 'c', effect: 'PreferNoSchedule' },
      ],
    },
  },
  { argv: ['-taint=k=:NoSchedule'], want: { taints: [{ key: 'k', effect: 'NoSchedule' }] } },
  { argv: ['--disable-taint'], want: { taints: [] } },
  { argv: ['--taint', 'a:NoExecute', '--disable-taint=true'], want: { taints: [] } },
  { argv: ['--disable-taint=false'], want: {} },
  { argv: ['--max-pods', '110'], want: { maxPods: 110 } },
  { argv: ['-max-pods=5'], want: { maxPods: 5 } },
  {
    argv: ['--node-labels', 'a=1,b.io/c=2', '--node-labels=d='],
    want: { nodeLabels: { a: '1', 'b.io/c': '2', d: '' } },
  },
  { argv: ['--kubelet-address', '127.0.0.1'], want: { kubeletAddress: '127.0.0.1' } },
  { argv: ['--client-ca-file=/ca'], want: { clientCaFile: '/ca' } },
  { argv: ['--anonymous-auth'], want: { anonymousAuth: true } },
  { argv: ['--anonymous-auth=false'], want: { anonymousAuth: false } },
  { argv: ['-anonymous-auth=t'], want: { anonymousAuth: true } },
  { argv: ['--anonymous-auth=YES'], want: { anonymousAuth: true } },
  { argv: ['--anonymous-auth=1', '--anonymous-auth=no'], want: { anonymousAuth: false } },
  { argv: ['--authorization-mode', 'AlwaysAllow'], want: { authorizationMode: 'AlwaysAllow' } },
  { argv: ['--authorization-mode=Webhook'], want: { authorizationMode: 'Webhook' } },
  { argv: ['--ignore-restart-policy'], want: { ignoreRestartPolicy: true } },
  { argv: [], env: { VK_CMD_DELETE_NODE_ON_EXIT: 'true' }, want: { deleteNodeOnExit: true } },
  { argv: [], env: { VK_CMD_DELETE_NODE_ON_EXIT: '0' }, want: { deleteNodeOnExit: false } },
  { argv: [], env: { VK_CMD_DELETE_NODE_ON_EXIT: '' }, want: { deleteNodeOnExit: false } },
  { argv: ['--delete-node-on-exit'], want: { deleteNodeOnExit: true } },
  {
    argv: ['--delete-node-on-exit=false'],
    env: { VK_CMD_DELETE_NODE_ON_EXIT: '1' },
    want: { deleteNodeOnExit: false },
  },
  { argv: ['--healthz-port', '0'], want: { healthzPort: 0 } },
  {
    argv: ['--healthz-port=10300', '--healthz-bind-address', '0.0.0.0'],
    want: { healthzPort: 10300, healthzBindAddress: '0.0.0.0' },
  },
  { argv: ['--node-status-update-frequency', '10'], want: { nodeStatusUpdateFrequencySeconds: 10 } },
  { argv: ['--node-status-update-frequency=30s'], want: { nodeStatusUpdateFrequencySeconds: 30 } },
  { argv: ['--node-status-report-frequency', '120s'], want: { nodeStatusReportFrequencySeconds: 120 } },
  {
    argv: ['--lease-duration', '60', '--lease-renew-interval', '15'],
    want: { leaseDurationSeconds: 60, leaseRenewIntervalSeconds: 15 },
  },
  { argv: ['--lease-renew-interval=0.5'], want: { leaseRenewIntervalSeconds: 0.5 } },
];

describe('kubelet flags and variables parse as they always did', () => {
  for (const c of cases) {
    it(`${JSON.stringify(c.argv)} ${JSON.stringify(c.env ?? {})}`, () => {
      expect(parse(c.argv, c.env ?? {})).to.deep.equal({ ...DEFAULTS, ...c.want });
    });
  }

  const modes: Array<[string[], string]> = [
    [['--help'], 'help'],
    [['-help'], 'help'],
    [['-h'], 'help'],
    [['--h'], 'help'],
    [['--version'], 'version'],
    [['-version'], 'version'],
    [['--nodename', 'vk', '--help'], 'help'],
    [['--version', '--help'], 'help'],
  ];
  for (const [argv, kind] of modes) {
    it(`${JSON.stringify(argv)} asks for ${kind}`, () => {
      expect(parseKubeletConfig(argv, { KUBELET_PORT: 'not-read' }, host).kind).to.equal(kind);
    });
  }
});
