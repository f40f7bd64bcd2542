import http from 'node:http';
import https from 'node:https';

/** A GET to a kubelet's HTTPS API; the serving cert is self-signed, so it is not verified here. */
export function kubeletGet(
  port: number,
  pathAndQuery: string,
  auth: { token?: string; cert?: string; key?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: pathAndQuery,
        method: 'GET',
        rejectUnauthorized: false,
        cert: auth.cert,
        key: auth.key,
        headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The body of a plain HTTP GET to 127.0.0.1:`port` (a `kubectl port-forward` local end), on a fresh connection each time. */
export function localHttpGet(port: number, pathAndQuery: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}
