import { createHash, timingSafeEqual } from 'node:crypto';
import { isNodeName } from '../../common/node-name.js';

/** One line of --accept-runners-tokens: a token and the node names it may serve. */
export interface TokenGrant {
  /** SHA-256 of the token: equal lengths for a constant-time comparison, and no token kept in memory. */
  digest: Buffer;
  /** `*` any run of characters, `?` one character; everything else matches itself. */
  glob: string;
  /** 1-based, for the log. */
  line: number;
}

/** What a dialling runner presented. */
export interface PresentedCredential {
  /** A client certificate, when the kubelet asked for one (--accept-runners-client-ca) and got one. */
  certificate?: { commonName: string | undefined; verified: boolean; verifyError: string | undefined };
  /** The bearer token of the Authorization header. */
  bearer?: string;
}

/** Whether the runner may serve the node it asked for; refusals say why (for it and for the log). */
export type GrantDecision =
  | { granted: true; nodeName: string; credential: string }
  | { granted: false; status: 401 | 403; reason: string };

const GLOB = /^[a-z0-9.*?-]+$/;

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Parses the tokens file: one `TOKEN NODE-NAME-GLOB` per line; blank lines
 * and lines starting with `#` are skipped. Pure; throws Error naming the line.
 */
export function parseTokenGrants(text: string): TokenGrant[] {
  const grants: TokenGrant[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) throw new Error(`line ${index + 1}: expected "TOKEN NODE-NAME-GLOB"`);
    const [token = '', glob = ''] = fields;
    if (!GLOB.test(glob)) {
      throw new Error(
        `line ${index + 1}: "${glob}" is not a node name glob (lower-case letters, digits, ".", "-", "*", "?")`,
      );
    }
    grants.push({ digest: digestOf(token), glob, line: index + 1 });
  });
  return grants;
}

/** Whether `name` matches `glob` (`*` any run, `?` one character). Pure. */
export function globMatches(glob: string, name: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\-]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(name);
}

/** The node a certificate's CN names: `system:node:<name>`, as a kubelet's does, or a plain node name. Pure. */
export function nodeNameFromCommonName(commonName: string | undefined): string | undefined {
  if (commonName === undefined) return undefined;
  const name = commonName.startsWith('system:node:') ? commonName.slice('system:node:'.length) : commonName;
  return isNodeName(name) ? name : undefined;
}

/** Verification errors operators meet, in words. */
const VERIFY_ERRORS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not yet valid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by --accept-runners-client-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'the certificate is not signed by --accept-runners-client-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is not signed by --accept-runners-client-ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in an untrusted self-signed certificate',
};

/**
 * Decides whether a runner may serve `requestedName`, as system:node:<name>
 * binds a real kubelet to its own Node. A client certificate, when one was
 * presented, decides alone (a certificate that fails verification is refused
 * even if a token came with it); otherwise the bearer token, compared in
 * constant time against every line. Pure.
 */
export function decideGrant(
  presented: PresentedCredential,
  requestedName: string,
  grants: readonly TokenGrant[],
): GrantDecision {
  const cert = presented.certificate;
  if (cert) {
    if (!cert.verified) {
      const code = cert.verifyError ?? 'unverified';
      const words = VERIFY_ERRORS[code];
      return {
        granted: false,
        status: 401,
        reason: `client certificate refused: ${words ? `${words} (${code})` : code}`,
      };
    }
    const node = nodeNameFromCommonName(cert.commonName);
    if (node === undefined) {
      return {
        granted: false,
        status: 403,
        reason: `the client certificate's CN "${cert.commonName ?? ''}" names no node (expected system:node:<name> or a node name)`,
      };
    }
    if (node !== requestedName) {
      return {
        granted: false,
        status: 403,
        reason: `the client certificate grants node "${node}", not "${requestedName}"`,
      };
    }
    return { granted: true, nodeName: node, credential: `certificate CN=${cert.commonName ?? ''}` };
  }
  if (presented.bearer === undefined || presented.bearer === '') {
    return {
      granted: false,
      status: 401,
      reason: 'no credential: send a bearer token (--token-file) or a client certificate',
    };
  }
  const given = digestOf(presented.bearer);
  let known = false;
  let grantedBy: TokenGrant | undefined;
  // Every line is compared, so the time taken does not tell which line (or whether one) matched.
  for (const grant of grants) {
    const same = timingSafeEqual(given, grant.digest);
    known ||= same;
    if (same && grantedBy === undefined && globMatches(grant.glob, requestedName)) grantedBy = grant;
  }
  if (!known) return { granted: false, status: 401, reason: 'bearer token not recognised' };
  if (!grantedBy) {
    return { granted: false, status: 403, reason: `the bearer token does not grant node "${requestedName}"` };
  }
  return { granted: true, nodeName: requestedName, credential: `token (line ${grantedBy.line})` };
}
