import { readFileSync } from 'node:fs';
import { ConfigError } from '../../common/errors.js';
import type { DialCredentials } from '../connect/kubelet-dialer.js';
import type { RunnerConfig } from '../runner-config.js';
import { readPrivateKeyFile, readTokenFile } from './grpc-server.js';

/** What the runner presents to the kubelet in dial-out mode, read fresh (files may be rotated). */
export function readDialCredentials(config: RunnerConfig): DialCredentials {
  const caFile = config.connect?.caFile;
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`${flag}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return {
    ...(caFile ? { ca: read('--connect-ca', caFile) } : {}),
    ...(config.tlsCertFile && config.tlsKeyFile
      ? {
          cert: read('--tls-cert', config.tlsCertFile),
          key: readPrivateKeyFile('--tls-key', config.tlsKeyFile),
        }
      : {}),
    ...(config.tokenFile ? { token: readTokenFile(config.tokenFile) } : {}),
  };
}
