import { expect } from 'chai';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { pod } from '../../fixtures/kubelet-api/stats-fixture.js';
import { KubeletApiFixture } from './support/kubelet-api-fixture.js';

describe('KubeletApiServer over HTTPS', function () {
  this.timeout(30_000);
  const f = KubeletApiFixture.use();

  describe('container logs', () => {
    it('streams a finished log and passes every option to the runner', async () => {
      const res = await f.get(
        '/containerLogs/team-a/talker/c1?tailLines=5&timestamps=true&limitBytes=100&sinceTime=2024-05-01T10:00:00Z&previous=true',
      );
      expect(res.status, res.body).to.equal(200);
      expect(res.body).to.equal('line 1\nline 2\n');
      expect(res.headers['content-type']).to.equal('text/plain');
      expect(res.headers['transfer-encoding']).to.equal('chunked');
      expect(res.headers['content-length']).to.equal(undefined);
      expect(f.runner.logRequests.at(-1)).to.deep.include({
        uid: 'uid-talker',
        container: 'c1',
        follow: false,
        tailLines: 5,
        timestamps: true,
        limitBytes: 100,
        sinceTimeMs: Date.UTC(2024, 4, 1, 10),
        previous: true,
        stream: 'LOG_STREAM_ALL',
      });
    });

    it('answers 404 for an unknown pod or container and 400 for invalid options', async () => {
      const noPod = await f.get('/containerLogs/team-a/nobody/c1');
      expect(noPod).to.include({ status: 404, body: 'pod "nobody" does not exist' });
      const noContainer = await f.get('/containerLogs/team-a/talker/c9');
      expect(noContainer).to.include({ status: 404, body: 'container "c9" not found in pod "talker"' });
      const bad = await f.get(
        '/containerLogs/team-a/talker/c1?sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z',
      );
      expect(bad.status).to.equal(400);
      expect(bad.body).to.contain('at most one of `sinceTime` or `sinceSeconds`');
      expect((await f.get('/containerLogs/team-a/talker/c1?tailLines=-1')).status).to.equal(400);
    });

    it('maps runner errors to HTTP codes', async () => {
      const withErrors = pod('team-a', 'broken', 'uid-broken', ['gone', 'bad', 'down', 'odd']);
      const server = await f.startServer({
        pods: { list: () => [withErrors], get: () => withErrors },
      });
      f.runner.logErrors = {
        gone: GrpcStatus.NOT_FOUND,
        bad: GrpcStatus.INVALID_ARGUMENT,
        down: GrpcStatus.UNAVAILABLE,
        odd: GrpcStatus.INTERNAL,
      };
      try {
        const codes: Record<string, number> = {};
        for (const c of ['gone', 'bad', 'down', 'odd']) {
          const res = await f.getFrom(server.port, `/containerLogs/team-a/broken/${c}`);
          codes[c] = res.status;
        }
        expect(codes).to.deep.equal({ gone: 404, bad: 400, down: 503, odd: 500 });
      } finally {
        f.runner.logErrors = {};
      }
    });

    it('streams follow output as the runner sends it and cancels the call when the client leaves', async () => {
      const stream = f.follow('/containerLogs/team-a/talker/c1?follow=true');
      const held = await f.runner.nextFollowCall();
      expect(held.request).to.deep.include({ follow: true, uid: 'uid-talker' });
      const res = await stream.response;
      expect(res.statusCode).to.equal(200);
      expect(res.headers['transfer-encoding']).to.equal('chunked');
      await stream.waitForText((t) => t === 'line 1\nline 2\n');
      held.write('line 3\n');
      await stream.waitForText((t) => t.endsWith('line 3\n'));
      expect(stream.finished).to.equal(false);
      held.write('line 4\n');
      await stream.waitForText((t) => t.endsWith('line 4\n'));
      stream.abort();
      await held.cancelled;
    });

    it('ends the response when a followed container terminates', async () => {
      const stream = f.follow('/containerLogs/team-a/talker/c1?follow=1');
      const held = await f.runner.nextFollowCall();
      held.write('the end\n');
      held.end();
      await stream.done;
      expect(stream.text).to.equal('line 1\nline 2\nthe end\n');
    });

    it('sends the headers of a quiet follow stream before any output', async () => {
      const saved = f.runner.logs;
      f.runner.logs = {};
      try {
        const stream = f.follow('/containerLogs/team-a/talker/c1?follow=true');
        const held = await f.runner.nextFollowCall();
        const res = await stream.response;
        expect(res.statusCode).to.equal(200);
        held.write('late\n');
        await stream.waitForText((t) => t === 'late\n');
        stream.abort();
        await held.cancelled;
      } finally {
        f.runner.logs = saved;
      }
    });

    it('answers 503 to a follow request when the runner cannot be reached', async () => {
      const unreachable = await f.startUnreachable();
      const res = await f.getFrom(unreachable, '/containerLogs/team-a/talker/c1?follow=true');
      expect(res.status).to.equal(503);
      expect(res.body).to.match(/runner unavailable/);
    });

    it('stop ends open follow streams, cancels their calls and closes', async () => {
      const { port: p, server } = await f.startServer();
      const stream = f.follow('/containerLogs/team-a/talker/c1?follow=true', p);
      const held = await f.runner.nextFollowCall();
      await stream.waitForText((t) => t.includes('line 2'));
      await server.stop();
      await held.cancelled;
      await stream.done;
      let refused: unknown;
      await f.getFrom(p, '/healthz').catch((e: unknown) => (refused = e));
      expect(refused).to.be.instanceOf(Error);
    });
  });
});
