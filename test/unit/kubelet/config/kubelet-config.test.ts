import { expect } from 'chai';
import type { KubeletConfig } from '../../../../src/kubelet/config/kubelet-config.js';
import { parseTaint } from '../../../../src/kubelet/config/node-taints.js';
import { parseRunnerEndpoint } from '../../../../src/kubelet/config/runner-endpoint.js';
import { parse } from '../support/config-host.js';

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
