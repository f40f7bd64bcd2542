import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { loadRunnerProto } from '../../../src/common/proto.js';
import { freePort } from '../../support/free-port.js';
import { RunnerHarness } from './support/runner-harness.js';

describe('runner: tcp with mutual TLS', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let port: number;

  before(async () => {
    h = new RunnerHarness();
    const pki = h.workDir;
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
    );
    for (const [name, ext] of [
      ['server', 'subjectAltName=IP:127.0.0.1'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      ssl(
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      );
      writeFileSync(path.join(pki, `${name}.ext`), ext);
      ssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
      );
    }
    port = await freePort();
    h.args = () => [
      '--listen',
      `tcp://127.0.0.1:${port}`,
      '--tls-cert',
      path.join(pki, 'server.pem'),
      '--tls-key',
      path.join(pki, 'server.key'),
      '--client-ca',
      path.join(pki, 'ca.pem'),
      '--root-dir',
      h.rootDir,
    ];
    await h.startInProcess();
  });
  after(async () => h.close());

  function listPods(creds: grpc.ChannelCredentials): Promise<grpc.ServiceError | undefined> {
    const { grpcType } = loadRunnerProto();
    const client = new grpcType.vkcmd.runner.v1.Runner(`127.0.0.1:${port}`, creds);
    return new Promise((resolve) =>
      client.ListPods({}, { deadline: Date.now() + 5_000 }, (err) => {
        client.close();
        resolve(err ?? undefined);
      }),
    );
  }

  it('serves a client with a certificate from the CA and refuses one without', async () => {
    const file = (n: string) => readFileSync(path.join(h.workDir, n));
    expect(
      await listPods(grpc.credentials.createSsl(file('ca.pem'), file('client.key'), file('client.pem'))),
    ).to.equal(undefined);
    const refused = await listPods(grpc.credentials.createSsl(file('ca.pem')));
    expect(refused?.code).to.equal(grpc.status.UNAVAILABLE);
    const plain = await listPods(grpc.credentials.createInsecure());
    expect(plain?.code).to.equal(grpc.status.UNAVAILABLE);
  });
});
