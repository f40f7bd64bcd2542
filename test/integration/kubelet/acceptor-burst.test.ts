import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { expect } from 'chai';
import { pino } from 'pino';
import { RunnerAcceptor } from '../../../src/kubelet/accept/runner-acceptor.js';

/** Dials like a runner: TLS, then the upgrade request; resolves with the answer's status line. */
function dial(port: number, ca: Buffer, node: string): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    let text = '';
    s.on('secureConnect', () =>
      s.write(
        `GET /vkcmd.runner.v1/connect HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n` +
          `Upgrade: vkcmd-runner-v1\r\nAuthorization: Bearer burst-token\r\nVk-Cmd-Node-Name: ${node}\r\n\r\n`,
      ),
    );
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n')) s.destroy();
    });
    s.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    s.on('error', () => undefined);
  });
}

describe('runner acceptor: a burst of runners dialling at once', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-acceptor-burst-'));
  // An RSA-4096 serving key: several ms of the acceptor's CPU per handshake, as on a slow login node.
  const certFile = path.join(dir, 'rsa.pem');
  const keyFile = path.join(dir, 'rsa-key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:4096',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-days',
      '1',
    ],
    { stdio: 'pipe' },
  );
  const lines: Array<{ msg?: string; reason?: string }> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as { msg?: string; reason?: string }) },
  );
  let acceptor: RunnerAcceptor | undefined;

  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await acceptor?.stop();
    lines.length = 0;
  });

  it('400 handshakes at once, each allowed 5 s: served a few at a time, time spent queued not counted, every one granted', async () => {
    const n = 400;
    acceptor = new RunnerAcceptor({
      host: '127.0.0.1',
      port: 0,
      certPem: readFileSync(certFile),
      keyPem: readFileSync(keyFile),
      grants: () => [
        { digest: createHash('sha256').update('burst-token').digest(), glob: 'burst-*', line: 1 },
      ],
      claim: () =>
        Promise.resolve({
          accept: (connection) => {
            connection.socket.destroy();
          },
        }),
      logger,
      // Less than the whole burst takes on one event loop on a loaded host (an RSA-4096 handshake is several ms
      // of CPU, both sides run here), far more than a few handshakes at a time take.
      handshakeTimeoutMs: 5000,
      maxConcurrentHandshakes: 4,
    });
    const { port } = await acceptor.start();
    const ca = readFileSync(certFile);
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => dial(port, ca, `burst-${i}`)));
    const refused = lines.filter((l) => l.msg === 'Refused a runner connection');
    expect(refused.map((l) => l.reason).slice(0, 3), 'no runner dropped').to.deep.equal([]);
    expect(answers.filter((a) => a.startsWith('HTTP/1.1 101')).length).to.equal(n);
    expect(acceptor.pendingHandshakes()).to.equal(0);
  });
});
