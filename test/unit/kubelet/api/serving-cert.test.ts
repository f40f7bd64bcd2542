import { expect } from 'chai';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateServingCert, subjectAltName } from '../../../../src/kubelet/api/serving-cert.js';

describe('subjectAltName', () => {
  it('lists DNS names then IPs, without duplicates', () => {
    expect(subjectAltName(['vk-1', 'vk-1.example.org', 'vk-1'], ['10.0.0.5', '::1'])).to.equal(
      'DNS:vk-1,DNS:vk-1.example.org,IP:10.0.0.5,IP:::1',
    );
  });
  const bad: Array<[string, string[], string[]]> = [
    ['a name with a comma (extension injection)', ['a,DNS:evil'], []],
    ['a name with a space', ['a b'], []],
    ['a bad IP', [], ['10.0.0.300']],
  ];
  for (const [title, names, ips] of bad) {
    it(`refuses ${title}`, () => {
      expect(() => subjectAltName(names, ips)).to.throw(/invalid/);
    });
  }
});

describe('loadOrCreateServingCert', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'serving-cert-test-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('creates a self-signed certificate with the SANs, valid for a year', async () => {
    const created = await loadOrCreateServingCert(
      undefined,
      undefined,
      ['vk-1', 'vk-1.example.org'],
      ['127.0.0.1', '10.1.2.3'],
    );
    expect(created.selfSigned).to.equal(true);
    const cert = new X509Certificate(created.certPem);
    expect(cert.subjectAltName).to.equal(
      'DNS:vk-1, DNS:vk-1.example.org, IP Address:127.0.0.1, IP Address:10.1.2.3',
    );
    expect(cert.checkHost('vk-1')).to.equal('vk-1');
    expect(cert.checkIP('10.1.2.3')).to.equal('10.1.2.3');
    const lifetimeDays = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(lifetimeDays).to.be.within(364, 366);
    expect(cert.checkPrivateKey(createPrivateKey(created.keyPem))).to.equal(true);
    expect(createPublicKey(created.certPem).asymmetricKeyType).to.equal('ec');
    expect(cert.verify(cert.publicKey)).to.equal(true);
  });

  it('loads a certificate and key from files', async () => {
    const created = await loadOrCreateServingCert(undefined, undefined, ['vk-2'], []);
    const certPath = path.join(dir, 'tls.crt');
    const keyPath = path.join(dir, 'tls.key');
    await writeFile(certPath, created.certPem);
    await writeFile(keyPath, created.keyPem);
    const loaded = await loadOrCreateServingCert(certPath, keyPath, ['ignored'], []);
    expect(loaded).to.deep.equal({ certPem: created.certPem, keyPem: created.keyPem, selfSigned: false });
  });

  it('names the file it cannot read', async () => {
    const missing = path.join(dir, 'missing.crt');
    let failure: Error | undefined;
    await loadOrCreateServingCert(missing, path.join(dir, 'tls.key'), [], []).catch(
      (e: Error) => (failure = e),
    );
    expect(failure?.message).to.contain(missing);
  });

  it('names a file that is not PEM', async () => {
    const garbage = path.join(dir, 'garbage.key');
    await writeFile(garbage, 'not a key');
    const other = await loadOrCreateServingCert(undefined, undefined, ['vk-3'], []);
    const certPath = path.join(dir, 'other.crt');
    await writeFile(certPath, other.certPem);
    let failure: Error | undefined;
    await loadOrCreateServingCert(certPath, garbage, [], []).catch((e: Error) => (failure = e));
    expect(failure?.message).to.match(/garbage\.key is not PEM/);
  });

  it('refuses a key that does not match the certificate', async () => {
    const a = await loadOrCreateServingCert(undefined, undefined, ['a'], []);
    const b = await loadOrCreateServingCert(undefined, undefined, ['b'], []);
    await writeFile(path.join(dir, 'a.crt'), a.certPem);
    await writeFile(path.join(dir, 'b.key'), b.keyPem);
    let failure: Error | undefined;
    await loadOrCreateServingCert(path.join(dir, 'a.crt'), path.join(dir, 'b.key'), [], []).catch(
      (e: Error) => (failure = e),
    );
    expect(failure?.message).to.match(/does not match/);
  });

  it('refuses a certificate path without a key path', async () => {
    let failure: Error | undefined;
    await loadOrCreateServingCert(path.join(dir, 'a.crt'), undefined, [], []).catch(
      (e: Error) => (failure = e),
    );
    expect(failure?.message).to.match(/APISERVER_KEY_LOCATION/);
  });
});
