import { expect } from 'chai';
import { helpText } from '../../../src/kubelet/config/flag-table.js';
import {
  parseKubeletConfig,
  type ConfigHost,
  type KubeletConfig,
} from '../../../src/kubelet/config/kubelet-config.js';
import { parseTaint } from '../../../src/kubelet/config/node-taints.js';
import { parseRunnerEndpoint } from '../../../src/kubelet/config/runner-endpoint.js';
import { ConfigError } from '../../../src/kubelet/errors.js';

const host: ConfigHost = {
  checkFile: (p) =>
    ['/kc', '/home/u/.kube/config', '/cert', '/key', '/ca', '/token'].includes(p)
      ? 'readable'
      : p.startsWith('/locked/')
        ? 'unreadable'
        : 'missing',
  homeDir: '/home/u',
  hostname: 'Login01',
  defaultPodIp: () => '192.0.2.10',
};

function parse(argv: string[], env: Record<string, string> = {}): KubeletConfig {
  const result = parseKubeletConfig(argv, env, host);
  if (result.kind !== 'run') throw new Error(`expected run, got ${result.kind}`);
  return result.config;
}

describe('parseKubeletConfig', () => {
  it('applies defaults', () => {
    const c = parse([]);
    expect(c).to.include({
      nodeName: 'login01',
      kubeconfigPath: '/home/u/.kube/config',
      podIp: '192.0.2.10',
      kubeletPort: 10250,
      kubeletAddress: '0.0.0.0',
      walltimeSeconds: 0,
      nodeType: '',
      site: '',
      verbosity: 0,
      maxPods: 1000,
      anonymousAuth: false,
      authorizationMode: 'Webhook',
      ignoreRestartPolicy: false,
      runnerUnreachableGraceSeconds: 40,
      leaseDurationSeconds: 40,
      leaseRenewIntervalSeconds: 10,
      healthzPort: 10248,
      healthzBindAddress: '127.0.0.1',
      deleteNodeOnExit: false,
    });
    expect(c.taints).to.deep.equal([
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
    ]);
    expect(c.runner).to.deep.include({ target: 'unix:///home/u/.vk-cmd/runner.sock', transport: 'unix' });
  });

  it("reads the original's environment (start.sh)", () => {
    const c = parse(['--nodename', 'vk', '--provider', 'mock', '--klog.v', '3'], {
      APISERVER_CERT_LOCATION: '/cert',
      APISERVER_KEY_LOCATION: '/key',
      KUBECONFIG: '/kc',
      NODENAME: 'ignored-because-flag',
      VKUBELET_POD_IP: '172.17.0.1',
      KUBELET_PORT: '10255',
      JIRIAF_WALLTIME: '60',
      JIRIAF_NODETYPE: 'cpu',
      JIRIAF_SITE: 'Local',
    });
    expect(c).to.include({
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
    });
  });

  const precedence: Array<{
    name: string;
    argv: string[];
    env: Record<string, string>;
    check: (c: KubeletConfig) => unknown;
    want: unknown;
  }> = [
    { name: 'nodename', argv: ['--nodename=a'], env: { NODENAME: 'b' }, check: (c) => c.nodeName, want: 'a' },
    {
      name: 'port',
      argv: ['--kubelet-port', '1'],
      env: { KUBELET_PORT: '2' },
      check: (c) => c.kubeletPort,
      want: 1,
    },
    {
      name: 'walltime',
      argv: ['--walltime', '5'],
      env: { JIRIAF_WALLTIME: '6' },
      check: (c) => c.walltimeSeconds,
      want: 5,
    },
    {
      name: 'pod ip',
      argv: ['--pod-ip', '10.0.0.1'],
      env: { VKUBELET_POD_IP: '10.0.0.2' },
      check: (c) => c.podIp,
      want: '10.0.0.1',
    },
    {
      name: 'kubeconfig',
      argv: ['--kubeconfig', '/kc'],
      env: { KUBECONFIG: '/nope' },
      check: (c) => c.kubeconfigPath,
      want: '/kc',
    },
    {
      name: 'env used without flag',
      argv: [],
      env: { JIRIAF_SITE: 'nersc' },
      check: (c) => c.site,
      want: 'nersc',
    },
    { name: '--v alias', argv: ['--v=4'], env: {}, check: (c) => c.verbosity, want: 4 },
    { name: 'single dash', argv: ['-v', '2'], env: {}, check: (c) => c.verbosity, want: 2 },
    { name: 'bool flag', argv: ['--anonymous-auth'], env: {}, check: (c) => c.anonymousAuth, want: true },
    {
      name: 'bool =false',
      argv: ['--anonymous-auth=false'],
      env: {},
      check: (c) => c.anonymousAuth,
      want: false,
    },
    {
      name: 'ignore restart policy',
      argv: ['--ignore-restart-policy'],
      env: {},
      check: (c) => c.ignoreRestartPolicy,
      want: true,
    },
    {
      name: 'XDG runner socket',
      argv: [],
      env: { XDG_RUNTIME_DIR: '/run/user/1' },
      check: (c) => c.runner.target,
      want: 'unix:///run/user/1/vk-cmd/runner.sock',
    },
    {
      name: 'taints replace default',
      argv: ['--taint', 'a=b:NoExecute', '--taint', 'c:PreferNoSchedule'],
      env: {},
      check: (c) => c.taints,
      want: [
        { key: 'a', value: 'b', effect: 'NoExecute' },
        { key: 'c', effect: 'PreferNoSchedule' },
      ],
    },
    { name: 'disable taint', argv: ['--disable-taint'], env: {}, check: (c) => c.taints, want: [] },
    {
      name: 'node labels',
      argv: ['--node-labels', 'a=1,b.io/c=2', '--node-labels=d='],
      env: {},
      check: (c) => c.nodeLabels,
      want: { a: '1', 'b.io/c': '2', d: '' },
    },
    {
      name: 'grace',
      argv: ['--runner-unreachable-grace', '2.5'],
      env: {},
      check: (c) => c.runnerUnreachableGraceSeconds,
      want: 2.5,
    },
    {
      name: 'tcp runner',
      argv: ['--runner', 'tcp://h:9000', '--runner-ca', '/ca', '--runner-token-file', '/token'],
      env: {},
      check: (c) => c.runner,
      want: {
        target: 'h:9000',
        transport: 'tcp',
        insecure: false,
        caPath: '/ca',
        certPath: undefined,
        keyPath: undefined,
        tokenFile: '/token',
      },
    },
    { name: 'port 0', argv: ['--kubelet-port', '0'], env: {}, check: (c) => c.kubeletPort, want: 0 },
    { name: 'healthz off', argv: ['--healthz-port', '0'], env: {}, check: (c) => c.healthzPort, want: 0 },
    {
      name: 'healthz address',
      argv: ['--healthz-bind-address=0.0.0.0'],
      env: {},
      check: (c) => c.healthzBindAddress,
      want: '0.0.0.0',
    },
    {
      name: 'delete node on exit (flag)',
      argv: ['--delete-node-on-exit'],
      env: {},
      check: (c) => c.deleteNodeOnExit,
      want: true,
    },
    {
      name: 'delete node on exit (env)',
      argv: [],
      env: { VK_CMD_DELETE_NODE_ON_EXIT: 'true' },
      check: (c) => c.deleteNodeOnExit,
      want: true,
    },
    {
      name: 'delete node on exit (flag wins)',
      argv: ['--delete-node-on-exit=false'],
      env: { VK_CMD_DELETE_NODE_ON_EXIT: '1' },
      check: (c) => c.deleteNodeOnExit,
      want: false,
    },
  ];
  for (const t of precedence) {
    it(`setting: ${t.name}`, () => {
      expect(t.check(parse(t.argv, t.env))).to.deep.equal(t.want);
    });
  }

  const invalid: Array<{ argv: string[]; env?: Record<string, string>; setting: string }> = [
    { argv: ['--provider', 'aws'], setting: '--provider' },
    { argv: [], env: { KUBELET_PORT: '70000' }, setting: 'KUBELET_PORT' },
    { argv: ['--kubelet-port', 'abc'], setting: '--kubelet-port' },
    { argv: [], env: { JIRIAF_WALLTIME: 'ten' }, setting: 'JIRIAF_WALLTIME' },
    { argv: [], env: { JIRIAF_WALLTIME: '-5' }, setting: 'JIRIAF_WALLTIME' },
    { argv: [], env: { JIRIAF_WALLTIME: '1.5' }, setting: 'JIRIAF_WALLTIME' },
    { argv: [], env: { KUBECONFIG: '/missing' }, setting: 'KUBECONFIG' },
    { argv: ['--kubeconfig', '/missing'], setting: '--kubeconfig' },
    { argv: ['--taint', 'novalue'], setting: '--taint' },
    { argv: ['--taint', 'a=b:Sometimes'], setting: '--taint' },
    { argv: ['--taint', 'bad key!=b:NoSchedule'], setting: '--taint' },
    { argv: ['--nodename', 'Bad_Name'], setting: '--nodename' },
    { argv: [], env: { VKUBELET_POD_IP: 'not-an-ip' }, setting: 'VKUBELET_POD_IP' },
    { argv: [], env: { APISERVER_CERT_LOCATION: '/cert' }, setting: 'APISERVER_KEY_LOCATION' },
    {
      argv: [],
      env: { APISERVER_CERT_LOCATION: '/missing', APISERVER_KEY_LOCATION: '/key' },
      setting: 'APISERVER_CERT_LOCATION',
    },
    {
      argv: [],
      env: { APISERVER_CERT_LOCATION: '/locked/client.crt', APISERVER_KEY_LOCATION: '/key' },
      setting: 'APISERVER_CERT_LOCATION',
    },
    {
      argv: ['--tls-private-key-file', '/locked/k', '--tls-cert-file', '/cert'],
      setting: '--tls-private-key-file',
    },
    { argv: [], env: { KUBECONFIG: '/locked/config' }, setting: 'KUBECONFIG' },
    { argv: ['--healthz-port', '70000'], setting: '--healthz-port' },
    { argv: ['--healthz-bind-address', 'localhost'], setting: '--healthz-bind-address' },
    { argv: [], env: { VK_CMD_DELETE_NODE_ON_EXIT: 'maybe' }, setting: 'VK_CMD_DELETE_NODE_ON_EXIT' },
    { argv: ['--authorization-mode', 'RBAC'], setting: '--authorization-mode' },
    { argv: ['--max-pods', '0'], setting: '--max-pods' },
    { argv: ['--node-labels', 'a=b c'], setting: '--node-labels' },
    { argv: ['--runner', 'unix://relative'], setting: '--runner' },
    { argv: ['--runner', 'host-without-port'], setting: '--runner' },
    { argv: ['--runner', 'unix:///s', '--runner-ca', '/ca'], setting: '--runner-ca' },
    { argv: ['--runner', 'h:1', '--runner-insecure', '--runner-ca', '/ca'], setting: '--runner-insecure' },
    { argv: ['--runner-cert', '/cert'], setting: '--runner-cert' },
    { argv: ['--anonymous-auth=maybe'], setting: '--anonymous-auth' },
    { argv: ['--runner-unreachable-grace', 'soon'], setting: '--runner-unreachable-grace' },
    { argv: ['--lease-renew-interval', '50'], setting: '--lease-renew-interval' },
    { argv: ['--no-such-flag'], setting: '--no-such-flag' },
    { argv: ['positional'], setting: 'positional' },
    { argv: ['--nodename'], setting: '--nodename' },
    { argv: ['--node-status-update-frequency', '120'], setting: '--node-status-update-frequency' },
  ];
  for (const t of invalid) {
    it(`refuses ${JSON.stringify(t.argv)} ${JSON.stringify(t.env ?? {})} naming ${t.setting}`, () => {
      let caught: unknown;
      try {
        parseKubeletConfig(t.argv, t.env ?? {}, host);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(ConfigError);
      expect((caught as ConfigError).setting).to.equal(t.setting);
      expect((caught as ConfigError).message).to.contain(t.setting);
    });
  }

  it('refuses to start without any kubeconfig (no credentials for reviews)', () => {
    const bare: ConfigHost = { ...host, checkFile: () => 'missing' };
    expect(() => parseKubeletConfig([], {}, bare)).to.throw(ConfigError, /kubeconfig/);
  });

  it('--help and --version win', () => {
    expect(parseKubeletConfig(['--help'], {}, host).kind).to.equal('help');
    expect(parseKubeletConfig(['--version'], {}, host).kind).to.equal('version');
  });

  it('help lists every setting with its env var and default', () => {
    const text = helpText('vk-cmd-kubelet');
    for (const needle of [
      '--nodename',
      'env NODENAME',
      'env KUBECONFIG',
      'env VKUBELET_POD_IP',
      'env KUBELET_PORT',
      'default 10250',
      'env APISERVER_CERT_LOCATION',
      'env APISERVER_KEY_LOCATION',
      'env JIRIAF_WALLTIME',
      'env JIRIAF_NODETYPE',
      'env JIRIAF_SITE',
      '--klog.v',
      '--runner-token-file',
      '--ignore-restart-policy',
      'default 1000',
      '--healthz-port',
      'default 10248',
      '--healthz-bind-address',
      'env VK_CMD_DELETE_NODE_ON_EXIT',
      'vk-cmd.jiriaf.org/walltime-deadline',
    ]) {
      expect(text).to.contain(needle);
    }
  });
});

describe('parseTaint and parseRunnerEndpoint', () => {
  it('parses taints', () => {
    expect(parseTaint('virtual-kubelet.io/provider=mock:NoSchedule')).to.deep.equal({
      key: 'virtual-kubelet.io/provider',
      value: 'mock',
      effect: 'NoSchedule',
    });
    expect(parseTaint('k=:NoSchedule')).to.deep.equal({ key: 'k', effect: 'NoSchedule' });
  });
  it('parses runner addresses', () => {
    expect(parseRunnerEndpoint('/tmp/r.sock').target).to.equal('unix:///tmp/r.sock');
    expect(parseRunnerEndpoint('localhost:9000')).to.deep.include({
      target: 'localhost:9000',
      transport: 'tcp',
    });
    expect(parseRunnerEndpoint('tcp://[::1]:9000').target).to.equal('[::1]:9000');
  });
});
