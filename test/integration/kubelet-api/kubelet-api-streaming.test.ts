import { expect } from 'chai';
import net from 'node:net';
import { SpdyTestClient, type RefusedUpgrade } from '../../support/spdy-test-client.js';
import { KubeletApiFixture, NOBODY_TOKEN } from './support/kubelet-api-fixture.js';

const EXEC = '/exec/team-a/talker/c1';
const V4 = 'v4.channel.k8s.io';

function query(command: string[], streams: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  for (const [k, v] of Object.entries(streams)) q.set(k, v);
  return q.toString();
}

/** Resolves with the first connection's bytes echoed back, from a local TCP echo server. */
async function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('KubeletApiServer streaming over SPDY', function () {
  this.timeout(30_000);
  const f = KubeletApiFixture.use();

  const connect = async (
    path: string,
    protocols = [V4],
    creds = f.apiserverCert,
  ): Promise<SpdyTestClient> => {
    const client = await SpdyTestClient.connect({
      port: f.port,
      path,
      ca: f.servingCertPem,
      protocols,
      ...creds,
    });
    if (!(client instanceof SpdyTestClient)) throw new Error(`refused: ${client.status} ${client.body}`);
    return client;
  };
  const refused = async (
    path: string,
    protocols = [V4],
    creds: object = f.apiserverCert,
  ): Promise<RefusedUpgrade> => {
    const answer = await SpdyTestClient.connect({
      port: f.port,
      path,
      ca: f.servingCertPem,
      protocols,
      ...creds,
    });
    if (answer instanceof SpdyTestClient) {
      answer.destroy();
      throw new Error('upgraded unexpectedly');
    }
    return answer;
  };

  it('runs a command: stdout, stderr and the v4 exit status with its exit code', async () => {
    const client = await connect(
      `${EXEC}?${query(['sh', '-c', 'echo out; echo err >&2; exit 3'], { output: '1', error: '1' })}`,
    );
    expect(client.protocol).to.equal(V4);
    const error = await client.openStream({ streamType: 'error' });
    const stdout = await client.openStream({ streamType: 'stdout' });
    const stderr = await client.openStream({ streamType: 'stderr' });
    await Promise.all([error.done(), stdout.done(), stderr.done()]);
    expect(stdout.text).to.equal('out\n');
    expect(stderr.text).to.equal('err\n');
    expect(JSON.parse(error.text)).to.deep.equal({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: exit status 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    expect(f.runner.streaming.execStarts.at(-1)).to.deep.include({
      uid: 'uid-talker',
      container: 'c1',
      command: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    client.close();
  });

  it('passes stdin through and its half-close, and reports success', async () => {
    const client = await connect(`${EXEC}?${query(['cat'], { input: '1', output: '1' })}`);
    const error = await client.openStream({ streamType: 'error' });
    const stdin = await client.openStream({ streamType: 'stdin' });
    const stdout = await client.openStream({ streamType: 'stdout' });
    stdin.write('hello ');
    stdin.write('world');
    stdin.end();
    await Promise.all([error.done(), stdout.done()]);
    expect(stdout.text).to.equal('hello world');
    expect(JSON.parse(error.text)).to.deep.equal({ metadata: {}, status: 'Success' });
    client.close();
  });

  it('moves a megabyte each way with back-pressure', async () => {
    const client = await connect(`${EXEC}?${query(['cat'], { input: '1', output: '1' })}`);
    const error = await client.openStream({ streamType: 'error' });
    const stdin = await client.openStream({ streamType: 'stdin' });
    const stdout = await client.openStream({ streamType: 'stdout' });
    const block = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 16; i++) stdin.write(block);
    stdin.end();
    await Promise.all([error.done(15_000), stdout.done(15_000)]);
    expect(Buffer.concat(stdout.chunks).length).to.equal(16 * block.length);
    client.close();
  });

  it('writes errors as text before v4, and passes terminal sizes on from v3', async () => {
    const v2 = await connect(`${EXEC}?${query(['sh', '-c', 'exit 2'], { output: '1' })}`, [
      'v2.channel.k8s.io',
    ]);
    const error = await v2.openStream({ streamType: 'error' });
    await v2.openStream({ streamType: 'stdout' });
    await error.done();
    expect(error.text).to.equal('command terminated with non-zero exit code: exit status 2');
    v2.close();

    const v3 = await connect(
      `${EXEC}?${query(['sh', '-c', 'read line'], { input: '1', output: '1', tty: '1' })}`,
      ['v3.channel.k8s.io'],
    );
    const err3 = await v3.openStream({ streamType: 'error' });
    const stdin = await v3.openStream({ streamType: 'stdin' });
    await v3.openStream({ streamType: 'stdout' });
    const resize = await v3.openStream({ streamType: 'resize' });
    resize.write('{"Width":100,"Height":40}{"Wid');
    resize.write('th":120,"Height":50}');
    const before = f.runner.streaming.resizes.length;
    await f.runner.streaming.waitFor(() => f.runner.streaming.resizes.length > before, 'a resize');
    stdin.write('done\n');
    await err3.done();
    // The first size arrives before the command starts and goes with its start.
    expect(f.runner.streaming.execStarts.at(-1)).to.deep.include({
      tty: true,
      size: { width: 100, height: 40 },
    });
    expect(f.runner.streaming.resizes.slice(before)).to.deep.equal([{ width: 120, height: 50 }]);
    v3.close();
  });

  it('negotiates the protocol as httpstream.Handshake does', async () => {
    const none = await refused(`${EXEC}?${query(['true'], { output: '1' })}`, []);
    expect(none.status).to.equal(400);
    expect(none.body).to.equal('unable to upgrade: X-Stream-Protocol-Version is required');
    const unknown = await refused(`${EXEC}?${query(['true'], { output: '1' })}`, ['v9.channel.k8s.io']);
    expect(unknown.status).to.equal(403);
    expect(unknown.headers['x-accepted-stream-protocol-versions']).to.be.a('string');
    const preferred = await connect(`${EXEC}?${query(['true'], { output: '1' })}`, ['v5.channel.k8s.io', V4]);
    expect(preferred.protocol).to.equal('v5.channel.k8s.io');
    preferred.destroy();
  });

  it('answers unknown pods and containers with 404, a container that does not run with 500, at once', async () => {
    const pod = await refused(`/exec/team-a/nobody/c1?${query(['true'], { output: '1' })}`);
    expect(pod).to.include({ status: 404, body: 'pod does not exist' });
    const uid = await refused(`/exec/team-a/talker/other-uid/c1?${query(['true'], { output: '1' })}`);
    expect(uid).to.include({ status: 404, body: 'pod not found' });
    const container = await refused(`/exec/team-a/talker/c9?${query(['true'], { output: '1' })}`);
    expect(container).to.include({ status: 404, body: 'container not found ("c9")' });
    const streams = await refused(`${EXEC}?${query(['true'], {})}`);
    expect(streams).to.include({ status: 400, body: 'you must specify at least 1 of stdin, stdout, stderr' });

    const stopped = await f.startServer({
      runnerPods: { isSynced: () => true, getPod: () => undefined },
    });
    const answer = await SpdyTestClient.connect({
      port: stopped.port,
      path: `${EXEC}?${query(['true'], { output: '1' })}`,
      ca: f.servingCertPem,
      protocols: [V4],
      ...f.apiserverCert,
    });
    expect(answer).to.include({ status: 500, body: 'container not found ("c1")' });
  });

  it('reports the runner refusing the command on the error stream', async () => {
    f.runner.streaming.errors['c1'] = 9; // FAILED_PRECONDITION
    try {
      const client = await connect(`${EXEC}?${query(['true'], { output: '1' })}`);
      const error = await client.openStream({ streamType: 'error' });
      await client.openStream({ streamType: 'stdout' });
      await error.done();
      const status = JSON.parse(error.text) as { reason: string; message: string };
      expect(status.reason).to.equal('InternalError');
      expect(status.message).to.contain('container c1 is not running');
      client.close();
    } finally {
      delete f.runner.streaming.errors['c1'];
    }
  });

  it('cancels the runner call when the client goes away', async () => {
    const client = await connect(`${EXEC}?${query(['sleep', '30'], { output: '1' })}`);
    await client.openStream({ streamType: 'error' });
    await client.openStream({ streamType: 'stdout' });
    await f.runner.streaming.waitFor(
      () => f.runner.streaming.execStarts.some((s) => s.command[0] === 'sleep'),
      'the exec call',
    );
    const cancelled = f.runner.streaming.nextCancel();
    client.destroy();
    await cancelled;
  });

  it('authorises as the kubelet: 401 without credentials, 403 naming nodes/proxy and the verb', async () => {
    const anonymous = await refused(`${EXEC}?${query(['true'], { output: '1' })}`, [V4], {});
    expect(anonymous).to.include({ status: 401, body: 'Unauthorized' });
    const nobody = await refused(`${EXEC}?${query(['true'], { output: '1' })}`, [V4], {
      token: NOBODY_TOKEN,
    });
    expect(nobody.status).to.equal(403);
    expect(nobody.body).to.equal(
      'Forbidden (user=system:serviceaccount:default:nobody, verb=create, resource=nodes, subresource(s)=[proxy])',
    );
  });

  it('attaches: output from the current position, stdin echoed by the fake', async () => {
    const client = await connect(`/attach/team-a/talker/c1?input=1&output=1`);
    await client.openStream({ streamType: 'error' });
    const stdin = await client.openStream({ streamType: 'stdin' });
    const stdout = await client.openStream({ streamType: 'stdout' });
    stdin.write('ping\n');
    await stdout.until(() => stdout.text === 'attached\nping\n', 5_000, 'echo');
    stdin.end();
    await stdout.done();
    expect(f.runner.streaming.attachContainers.at(-1)).to.equal('c1');
    client.close();
  });

  it('forwards two concurrent connections to a port, with half-close', async () => {
    const echo = await echoServer();
    try {
      const client = await connect('/portForward/team-a/talker', ['portforward.k8s.io']);
      expect(client.protocol).to.equal('portforward.k8s.io');
      const port = String(echo.port);
      const pairs = [];
      for (const requestID of ['0', '1']) {
        const error = await client.openStream({ streamType: 'error', port, requestID });
        const data = await client.openStream({ streamType: 'data', port, requestID });
        pairs.push({ error, data });
      }
      pairs[0]!.data.write('first');
      pairs[1]!.data.write('second');
      for (const pair of pairs) pair.data.end();
      await Promise.all(pairs.map((p) => p.data.done()));
      expect(pairs.map((p) => p.data.text)).to.deep.equal(['first', 'second']);
      expect(pairs.map((p) => p.error.text)).to.deep.equal(['', '']);
      client.close();
    } finally {
      await echo.close();
    }
  });

  it('reports a refused port on the error stream and refuses streams without a port', async () => {
    const closed = await echoServer();
    await closed.close();
    const client = await connect('/portForward/team-a/talker', ['portforward.k8s.io']);
    const error = await client.openStream({ streamType: 'error', port: String(closed.port), requestID: '0' });
    await client.openStream({ streamType: 'data', port: String(closed.port), requestID: '0' });
    await error.done();
    expect(error.text).to.match(
      new RegExp(
        `^error forwarding port ${closed.port} to pod talker, uid uid-talker: runner unavailable: connection refused`,
      ),
    );
    const refusedStream = await client.openStream({ streamType: 'data' }).then(
      () => 'accepted',
      (err: Error) => err.message,
    );
    expect(refusedStream).to.match(/was refused/);
    client.close();
  });

  it('answers plain requests to /exec with 400 and runs /run commands', async () => {
    const plain = await f.get(`${EXEC}?${query(['true'], { output: '1' })}`);
    expect(plain.status).to.equal(400);
    expect(plain.body).to.contain('unable to upgrade: missing upgrade headers');
    const run = await f.get(
      `/run/team-a/talker/c1?cmd=${encodeURIComponent('echo hi there')}`,
      f.apiserverCert,
      'POST',
    );
    expect(run).to.include({ status: 200, body: 'hi there\n' });
    expect(run.headers['content-type']).to.equal('application/json');
    const failing = await f.get(
      `/run/team-a/talker/c1?cmd=${encodeURIComponent('false')}`,
      f.apiserverCert,
      'POST',
    );
    expect(failing).to.include({ status: 500, body: "command 'false' exited with 1: " });
    expect((await f.get('/run/team-a/talker/c1?cmd=true')).status).to.equal(405);
  });
});
