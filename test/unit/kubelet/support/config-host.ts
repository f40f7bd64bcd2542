import {
  parseKubeletConfig,
  type ConfigHost,
  type KubeletConfig,
} from '../../../../src/kubelet/config/kubelet-config.js';

/** A host where /kc, ~/.kube/config and a few credential files exist, and /locked/* cannot be read. */
export const host: ConfigHost = {
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

/** The configuration of a run, or a thrown ConfigError. */
export function parse(argv: string[], env: Record<string, string> = {}): KubeletConfig {
  const result = parseKubeletConfig(argv, env, host);
  if (result.kind !== 'run') throw new Error(`expected run, got ${result.kind}`);
  return result.config;
}
