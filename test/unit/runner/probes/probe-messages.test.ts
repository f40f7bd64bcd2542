import { expect } from 'chai';
import { graceAfterHookMs } from '../../../../src/runner/probes/container-stop.js';
import {
  connectionErrorMessage,
  dialErrorMessage,
  dialTimeoutMessage,
  joinHostPort,
} from '../../../../src/runner/probes/go-net-errors.js';
import {
  decodeHealthCheckStatus,
  encodeHealthCheckRequest,
  goRpcError,
} from '../../../../src/runner/probes/grpc-probe.js';
import { httpGetRequest } from '../../../../src/runner/probes/http-probe.js';
import { formatPod, goStringList } from '../../../../src/runner/probes/lifecycle-hook.js';
import {
  addToReport,
  reportPublishAtMs,
  reportsToProto,
} from '../../../../src/runner/probes/probe-reports.js';

const errno = (code: string): Error => Object.assign(new Error(code), { code });

describe('probe messages and wire details', () => {
  describe("Go's network error wording", () => {
    it('dial errors read as the kubelet quotes them', () => {
      const hp = joinHostPort('127.0.0.1', 8080);
      expect(dialErrorMessage(hp, '127.0.0.1', errno('ECONNREFUSED'))).to.equal(
        'dial tcp 127.0.0.1:8080: connect: connection refused',
      );
      expect(dialTimeoutMessage(hp)).to.equal('dial tcp 127.0.0.1:8080: i/o timeout');
      expect(dialErrorMessage('db:80', 'db', errno('ENOTFOUND'))).to.equal(
        'dial tcp: lookup db: no such host',
      );
      expect(joinHostPort('::1', 80)).to.equal('[::1]:80');
      expect(connectionErrorMessage(errno('ECONNRESET'))).to.equal('read: connection reset by peer');
      expect(connectionErrorMessage(new Error('socket hang up'))).to.equal('EOF');
    });
  });

  describe('httpGet request', () => {
    it('defaults: http, 127.0.0.1, kube-probe user agent, Accept any, no keep-alive', () => {
      const req = httpGetRequest(
        { scheme: '', host: '', port: 8080, path: '/healthz', headers: [] },
        'probe',
      );
      expect(req.url.href).to.equal('http://127.0.0.1:8080/healthz');
      expect(req.headers).to.deep.equal({
        'User-Agent': 'kube-probe/1.33',
        Accept: '*/*',
        Connection: 'close',
      });
    });

    it('scheme, host, a path without a slash, a query, repeated and overriding headers', () => {
      const req = httpGetRequest(
        {
          scheme: 'HTTPS',
          host: '10.0.0.5',
          port: 443,
          path: 'ready?full=1',
          headers: [
            { name: 'X-Token', value: 'a' },
            { name: 'x-token', value: 'b' },
            { name: 'User-Agent', value: 'mine' },
            { name: 'Accept', value: '' },
            { name: 'Host', value: 'example.org' },
          ],
        },
        'lifecycle',
      );
      expect(req.url.href).to.equal('https://10.0.0.5/ready?full=1');
      expect(req.headers).to.deep.equal({
        'X-Token': ['a', 'b'],
        'User-Agent': 'mine',
        Host: 'example.org',
        Connection: 'close',
      });
    });

    it('lifecycle hooks introduce themselves as kube-lifecycle', () => {
      const req = httpGetRequest({ scheme: 'HTTP', host: '', port: 80, path: '', headers: [] }, 'lifecycle');
      expect(req.headers['User-Agent']).to.equal('kube-lifecycle/1.33');
      expect(req.url.href).to.equal('http://127.0.0.1/');
    });
  });

  describe('grpc.health.v1 wire format', () => {
    it('encodes the service name and decodes the serving status', () => {
      expect(encodeHealthCheckRequest('')).to.deep.equal(Buffer.alloc(0));
      expect(encodeHealthCheckRequest('db')).to.deep.equal(Buffer.from([0x0a, 2, 0x64, 0x62]));
      expect(decodeHealthCheckStatus(Buffer.from([0x08, 0x01]))).to.equal(1);
      expect(decodeHealthCheckStatus(Buffer.from([0x08, 0x02]))).to.equal(2);
      expect(decodeHealthCheckStatus(Buffer.alloc(0))).to.equal(0);
      expect(() => decodeHealthCheckStatus(Buffer.from([0x08]))).to.throw();
    });

    it("formats status errors as grpc-go's", () => {
      expect(goRpcError(5, 'unknown service')).to.equal('rpc error: code = NotFound desc = unknown service');
    });
  });

  describe('lifecycle hook wording', () => {
    it("format.Pod and Go's %v of a []string", () => {
      expect(formatPod({ podName: 'web', namespace: 'ns', uid: 'u-1', container: 'c' })).to.equal(
        'web_ns(u-1)',
      );
      expect(goStringList(['sh', '-c', 'exit 1'])).to.equal('[sh -c exit 1]');
    });
  });

  describe('preStop and the grace period', () => {
    it('SIGTERM gets what the hook left of the grace period, never under 2 s', () => {
      expect(graceAfterHookMs(30_000, 5_000)).to.equal(25_000);
      expect(graceAfterHookMs(30_000, 29_500)).to.equal(2_000);
      expect(graceAfterHookMs(3_000, 10_000)).to.equal(2_000);
    });
  });

  describe('probe reports', () => {
    it('count failures, errors and warnings with their last message; a success changes nothing', () => {
      let r = addToReport(undefined, { kind: 'success', output: 'ok' });
      expect(r).to.equal(undefined);
      r = addToReport(r, { kind: 'failure', output: 'first' });
      r = addToReport(r, { kind: 'failure', output: 'second' });
      r = addToReport(r, { kind: 'error', message: 'bad port' });
      r = addToReport(r, { kind: 'warning', output: 'redirect' });
      expect(addToReport(r, { kind: 'success', output: '' })).to.equal(r);
      expect(reportsToProto(new Map([['Liveness', r!]]))).to.deep.equal([
        {
          probeType: 'Liveness',
          failures: 2,
          lastFailure: 'second',
          errors: 1,
          lastError: 'bad port',
          warnings: 1,
          lastWarning: 'redirect',
        },
      ]);
    });

    it('report-only pushes: at once after a quiet interval, else when the interval is over', () => {
      expect(reportPublishAtMs(undefined, 1_000, 5_000)).to.equal(1_000);
      expect(reportPublishAtMs(0, 10_000, 5_000)).to.equal(10_000);
      expect(reportPublishAtMs(8_000, 10_000, 5_000)).to.equal(13_000);
    });
  });
});
