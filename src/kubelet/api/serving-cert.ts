import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ServingCert {
  certPem: string;
  keyPem: string;
  selfSigned: boolean;
}

const DNS_NAME = /^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

async function readPemFile(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the kubelet serving ${what} ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`the kubelet serving ${what} ${file} is not PEM`);
  return text;
}

async function loadServingCert(certPath: string, keyPath: string): Promise<ServingCert> {
  const certPem = await readPemFile(certPath, 'certificate');
  const keyPem = await readPemFile(keyPath, 'key');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new Error(
      `the kubelet serving certificate ${certPath} is not a PEM certificate: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(
      `the kubelet serving key ${keyPath} is not a PEM private key: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (!cert.checkPrivateKey(key)) {
    throw new Error(`the kubelet serving key ${keyPath} does not match the certificate ${certPath}`);
  }
  return { certPem, keyPem, selfSigned: false };
}

/** The subjectAltName extension value for openssl; refuses names that are neither DNS names nor IPs. Pure. */
export function subjectAltName(hostnames: string[], ips: string[]): string {
  const entries: string[] = [];
  for (const name of hostnames) {
    if (!DNS_NAME.test(name))
      throw new Error(`invalid DNS name for the serving certificate: ${JSON.stringify(name)}`);
    entries.push(`DNS:${name}`);
  }
  for (const ip of ips) {
    if (isIP(ip) === 0)
      throw new Error(`invalid IP address for the serving certificate: ${JSON.stringify(ip)}`);
    entries.push(`IP:${ip}`);
  }
  return [...new Set(entries)].join(',');
}

async function createSelfSigned(hostnames: string[], ips: string[]): Promise<ServingCert> {
  const names = hostnames.length === 0 && ips.length === 0 ? [hostname()] : hostnames;
  const san = subjectAltName(names, ips);
  const commonName = `${names[0] ?? ips[0] ?? 'vk-cmd'}@${Math.floor(Date.now() / 1000)}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'vk-cmd-serving-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    // openssl ships with every Debian-like host; Node cannot build X.509 certificates itself.
    await execFileAsync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '365',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        `subjectAltName=${san}`,
        '-addext',
        'keyUsage=critical,digitalSignature',
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { timeout: 30_000 },
    );
    return {
      certPem: await readFile(certFile, 'utf8'),
      keyPem: await readFile(keyFile, 'utf8'),
      selfSigned: true,
    };
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new Error(`cannot create a self-signed serving certificate with openssl: ${detail}`, {
      cause: err,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The kubelet's HTTPS serving certificate: the PEM files named by
 * APISERVER_CERT_LOCATION / APISERVER_KEY_LOCATION when given (failing with an
 * error naming the file when one is unreadable, not PEM, or the pair does not
 * match), otherwise a new self-signed ECDSA P-256 certificate for the given
 * DNS names and IPs, valid for 365 days (made with the `openssl` CLI in a
 * temporary directory that is removed afterwards). The caller owns the result.
 */
export async function loadOrCreateServingCert(
  certPath: string | undefined,
  keyPath: string | undefined,
  hostnames: string[],
  ips: string[],
): Promise<ServingCert> {
  if (certPath && keyPath) return loadServingCert(certPath, keyPath);
  if (certPath || keyPath) {
    throw new Error(
      `both APISERVER_CERT_LOCATION and APISERVER_KEY_LOCATION must be set (got certificate ${certPath ?? 'unset'}, key ${keyPath ?? 'unset'})`,
    );
  }
  return createSelfSigned(hostnames, ips);
}
