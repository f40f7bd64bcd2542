import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A throwaway CA with a kubelet serving pair and runner client certificates, for dial-in tests. */
export interface DialInPki {
  caFile: string;
  /** The kubelet's --accept-runners pair: SANs localhost, 127.0.0.1 and `serverNames`. */
  serverCertFile: string;
  serverKeyFile: string;
  /** A runner client certificate with this CN; `expired` makes one whose validity has ended. */
  client(commonName: string, options?: { expired?: boolean }): { certFile: string; keyFile: string };
  /** Writes a 0600 tokens file of `TOKEN GLOB` lines and returns its path. */
  tokensFile(lines: Array<[token: string, glob: string]>, name?: string): string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Makes the CA and the serving pair in `dir` (which the caller removes) with the openssl CLI. */
export function makeDialInPki(dir: string, serverNames: string[] = []): DialInPki {
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const file = (name: string): string => path.join(dir, name);
  ssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=vk-cmd-test-ca',
  );
  let serial = 0;
  const issue = (name: string, subject: string, ext: string, days: string): void => {
    serial++;
    ssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(file(`${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(serial),
      '-days',
      days,
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
    chmodSync(file(`${name}.key`), 0o600);
  };
  const sans = [
    'DNS:localhost',
    'IP:127.0.0.1',
    ...serverNames.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)),
  ];
  issue(
    'kubelet',
    '/CN=vk-cmd-kubelet',
    `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n`,
    '2',
  );
  let clients = 0;
  let tokenFiles = 0;
  return {
    caFile: file('ca.pem'),
    serverCertFile: file('kubelet.pem'),
    serverKeyFile: file('kubelet.key'),
    client(commonName, options = {}) {
      clients++;
      const name = `client-${clients}`;
      issue(name, `/CN=${commonName}`, 'extendedKeyUsage=clientAuth\n', options.expired ? '-1' : '2');
      return { certFile: file(`${name}.pem`), keyFile: file(`${name}.key`) };
    },
    tokensFile(lines, name) {
      tokenFiles++;
      const out = file(name ?? `tokens-${tokenFiles}`);
      writeFileSync(out, `# test tokens\n${lines.map(([t, g]) => `${t} ${g}`).join('\n')}\n`, {
        mode: 0o600,
      });
      chmodSync(out, 0o600);
      return out;
    },
  };
}
