import { expect } from 'chai';
import { kubeletHelpText as helpText } from '../../../../src/kubelet/config/kubelet-flags.js';
import { parseKubeletConfig, type ConfigHost } from '../../../../src/kubelet/config/kubelet-config.js';
import { ConfigError } from '../../../../src/common/errors.js';
import { host } from '../support/config-host.js';

describe('parseKubeletConfig: invalid settings and help', () => {
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
