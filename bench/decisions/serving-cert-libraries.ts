// The kubelet's self-signed serving certificate: the openssl CLI (today) against
// libraries (docs/decisions/0004-serving-certificate.md). Each library is installed
// into a temp dir of its own: install size, packages, `npm audit`. Then, 3 runs
// each in a fresh process: time to import it and to make a self-signed
// certificate with the kubelet's SANs and usages, for a P-256 and an RSA-2048 key.
// Usage: node dist/bench/decisions/serving-cert-libraries.js   (needs npm and openssl)
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  installInto,
  printTable,
  repeat,
  row,
  runChild,
  settledMemoryMb,
  type Row,
} from './measure-support.js';

const SELF = fileURLToPath(import.meta.url);
/** What each library needs installed; @peculiar/x509 2 needs a Reflect polyfill, loaded first. */
const LIBRARIES: Array<{ name: string; specs: string[]; preload?: string }> = [
  { name: 'node-forge', specs: ['node-forge@1.4.4'] },
  {
    name: '@peculiar/x509',
    specs: ['@peculiar/x509@2.2.0', 'reflect-metadata@0.2.2'],
    preload: 'reflect-metadata',
  },
  { name: 'selfsigned', specs: ['selfsigned@5.5.0'] },
];
const CN = 'vk-node';
const DNS = ['vk-node', 'localhost'];
const IPS = ['10.0.0.7', '127.0.0.1'];
type KeyType = 'p256' | 'rsa2048';
interface GenResult {
  importMs: number;
  /** RSS the import added, after GC. */
  importRssMb: number;
  generateMs: number;
}
interface Pair {
  certPem: string;
  keyPem: string;
}
type Lib = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function generate(lib: Lib, name: string, keyType: KeyType): Promise<Pair> {
  const notAfter = new Date(Date.now() + 365 * 86400_000);
  if (name === 'node-forge') {
    if (keyType === 'p256') throw new Error('node-forge signs certificates with RSA keys only');
    const { pki, md } = lib;
    const keys = pki.rsa.generateKeyPair({ bits: 2048 });
    const cert = pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = notAfter;
    cert.setSubject([{ name: 'commonName', value: CN }]);
    cert.setIssuer([{ name: 'commonName', value: CN }]);
    cert.setExtensions([
      { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...DNS.map((value) => ({ type: 2, value })), ...IPS.map((ip) => ({ type: 7, ip }))],
      },
    ]);
    cert.sign(keys.privateKey, md.sha256.create());
    return { certPem: pki.certificateToPem(cert), keyPem: pki.privateKeyToPem(keys.privateKey) };
  }
  if (name === 'selfsigned') {
    const pems = await lib.generate([{ name: 'commonName', value: CN }], {
      ...(keyType === 'p256' ? { keyType: 'ec', curve: 'P-256' } : { keyType: 'rsa', keySize: 2048 }),
      days: 365,
      algorithm: 'sha256',
      extensions: [
        { name: 'keyUsage', critical: true, digitalSignature: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [...DNS.map((value) => ({ type: 2, value })), ...IPS.map((ip) => ({ type: 7, ip }))],
        },
      ],
    });
    return { certPem: pems.cert, keyPem: pems.private };
  }
  // @peculiar/x509 over Node's WebCrypto.
  lib.cryptoProvider.set(webcrypto);
  const algorithm =
    keyType === 'p256'
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${CN}`,
    notBefore: new Date(),
    notAfter,
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
      new lib.SubjectAlternativeNameExtension([
        ...DNS.map((value) => ({ type: 'dns', value })),
        ...IPS.map((value) => ({ type: 'ip', value })),
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem'), keyPem };
}

/** The openssl call serving-cert.ts makes (P-256), or the same with an RSA-2048 key. */
async function opensslPair(keyType: KeyType): Promise<Pair> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-cert-'));
  try {
    const key =
      keyType === 'p256'
        ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
        : ['-newkey', 'rsa:2048'];
    const san = [...DNS.map((d) => `DNS:${d}`), ...IPS.map((i) => `IP:${i}`)].join(',');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      ...key,
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '365',
      '-subj',
      `/CN=${CN}`,
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=serverAuth',
    ]);
    return {
      certPem: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      keyPem: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(name: string, prefix: string, keyType: KeyType): Promise<GenResult> {
  const rssBeforeMb = settledMemoryMb().rssMb;
  const t0 = performance.now();
  let lib: Lib = {};
  if (name !== 'openssl') {
    const require = createRequire(path.join(prefix, 'index.js'));
    const preload = LIBRARIES.find((l) => l.name === name)?.preload;
    if (preload) await import(pathToFileURL(require.resolve(preload)).href);
    lib = (await import(pathToFileURL(require.resolve(name)).href)) as Lib;
    lib = (lib['default'] as Lib | undefined) ?? lib;
  }
  const t1 = performance.now();
  const importRssMb = settledMemoryMb().rssMb - rssBeforeMb;
  const t2start = performance.now();
  const pair = name === 'openssl' ? await opensslPair(keyType) : await generate(lib, name, keyType);
  const t2 = performance.now();
  const cert = new X509Certificate(pair.certPem);
  if (
    !cert.checkPrivateKey(createPrivateKey(pair.keyPem)) ||
    !cert.subjectAltName?.includes('IP Address:10.0.0.7')
  ) {
    throw new Error(`${name}: the certificate does not match its key or lacks the SANs`);
  }
  return { importMs: t1 - t0, importRssMb, generateMs: t2 - t2start };
}

async function parent(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-cert-libs-'));
  try {
    console.log('| library | installed | packages | install size | npm audit |');
    console.log('| --- | --- | --- | --- | --- |');
    const prefixes = new Map<string, string>();
    for (const { name, specs } of LIBRARIES) {
      const prefix = path.join(tmp, name.replace('/', '_'));
      mkdirSync(prefix);
      const { packages, bytes, audit } = installInto(prefix, specs);
      console.log(
        `| ${name} | ${specs.join(' + ')} | ${packages} | ${(bytes / 1e6).toFixed(2)} MB | ${audit} |`,
      );
      prefixes.set(name, prefix);
    }
    const rows: Row[] = [];
    for (const name of ['openssl', ...prefixes.keys()]) {
      for (const keyType of ['p256', 'rsa2048'] as const) {
        if (name === 'node-forge' && keyType === 'p256') continue;
        const runs = await repeat(3, () =>
          runChild<GenResult>(SELF, ['--child', name, prefixes.get(name) ?? '', keyType]),
        );
        rows.push(row(`${name} ${keyType}: import`, runs, (r) => r.importMs, 0, 'ms'));
        rows.push(row(`${name} ${keyType}: key and certificate`, runs, (r) => r.generateMs, 0, 'ms'));
        if (name !== 'openssl')
          rows.push(row(`${name} ${keyType}: RSS added by the import`, runs, (r) => r.importRssMb, 1, 'MB'));
      }
    }
    printTable('Self-signed serving certificate, fresh process per run (node-forge: RSA only)', rows);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, name = '', prefix = '', keyType = 'p256'] = argv;
  console.log(JSON.stringify(await child(name, prefix, keyType as KeyType)));
  process.exit(0);
} else {
  await parent();
}
