import { expect } from 'chai';
import type { WirePod } from '../../../../../src/kubelet/kube/wire-types.js';
import { matchRoute } from '../../../../../src/kubelet/api/api-routes.js';
import {
  parseCommandStreamOptions,
  parseExecCommand,
  parsePortForwardPorts,
  parseRunCommand,
} from '../../../../../src/kubelet/api/streaming/stream-request.js';
import {
  resolveStreamTarget,
  type RunnerPodView,
} from '../../../../../src/kubelet/api/streaming/stream-target.js';
import type { Pod__Output } from '../../../../../src/generated/vkcmd/runner/v1/Pod.js';

const q = (text: string): URLSearchParams => new URLSearchParams(text);

describe('streaming requests', () => {
  it('routes exec, attach, portForward and run, with and without the pod UID', () => {
    const cases: Array<[string, ReturnType<typeof matchRoute>]> = [
      ['/exec/ns/p/c', { route: 'exec', label: '/exec', params: ['ns', 'p', '', 'c'] }],
      ['/exec/ns/p/uid-1/c', { route: 'exec', label: '/exec', params: ['ns', 'p', 'uid-1', 'c'] }],
      ['/attach/ns/p/c', { route: 'attach', label: '/attach', params: ['ns', 'p', '', 'c'] }],
      ['/portForward/ns/p', { route: 'portForward', label: '/portForward', params: ['ns', 'p', ''] }],
      [
        '/portForward/ns/p/uid-1',
        { route: 'portForward', label: '/portForward', params: ['ns', 'p', 'uid-1'] },
      ],
      ['/run/ns/p/c', { route: 'run', label: '/run', params: ['ns', 'p', '', 'c'] }],
      ['/exec/ns/p', undefined],
      ['/exec/ns/p/uid/c/extra', undefined],
      ['/exec/ns//c', undefined],
      ['/constructor/ns/p/c', undefined],
      ['/exec/ns/p%20q/c', { route: 'exec', label: '/exec', params: ['ns', 'p q', '', 'c'] }],
    ];
    for (const [path, expected] of cases) expect(matchRoute(path), path).to.deep.equal(expected);
  });

  it('reads stream options as remotecommand.NewOptions does', () => {
    expect(parseCommandStreamOptions(q('input=1&output=1&error=1'))).to.deep.equal({
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
    });
    expect(parseCommandStreamOptions(q('stdin=true&stdout=true&stderr=true&tty=1'))).to.deep.equal({
      stdin: true,
      stdout: true,
      stderr: false,
      tty: true,
    });
    expect(() => parseCommandStreamOptions(q('tty=1&error=1'))).to.throw(
      'you must specify at least 1 of stdin, stdout, stderr',
    );
    expect(() => parseCommandStreamOptions(q('output=0'))).to.throw(/at least 1/);
  });

  it('reads commands, run commands and ports', () => {
    expect(parseExecCommand(q('command=sh&command=-c&command=echo%20hi'))).to.deep.equal([
      'sh',
      '-c',
      'echo hi',
    ]);
    expect(() => parseExecCommand(q(''))).to.throw('command is required');
    expect(parseRunCommand(q('cmd=ls%20-l%20/'))).to.deep.equal(['ls', '-l', '/']);
    expect(parsePortForwardPorts(q('port=80,443&port=8080'))).to.deep.equal([80, 443, 8080]);
    expect(() => parsePortForwardPorts(q(''))).to.throw('query parameter "port" is required');
    expect(() => parsePortForwardPorts(q('port=0'))).to.throw('port "0" must be > 0');
    expect(() => parsePortForwardPorts(q('port=70000'))).to.throw('unable to parse "70000" as a port');
  });

  describe('target resolution', () => {
    const apiPod: WirePod = {
      metadata: { namespace: 'ns', name: 'p', uid: 'uid-1' },
      spec: { containers: [{ name: 'c' }, { name: 'd' }], ephemeralContainers: [{ name: 'debugger' }] },
    };
    const pods = {
      list: () => [apiPod],
      get: (ns: string, name: string) => (name === 'p' ? apiPod : undefined),
    };
    const runnerPod = {
      uid: 'uid-1',
      containerStatuses: [
        { name: 'c', state: { running: { startedAtMs: 1 } } },
        { name: 'd', state: { terminated: { exitCode: 0 } } },
      ],
      initContainerStatuses: [],
      ephemeralContainerStatuses: [{ name: 'debugger', state: { running: { startedAtMs: 2 } } }],
    } as unknown as Pod__Output;
    const runner: RunnerPodView = { isSynced: () => true, getPod: () => runnerPod };
    const resolve = (
      request: { pod?: string; uid?: string; container?: string },
      view: RunnerPodView = runner,
    ) => resolveStreamTarget(pods, view, { namespace: 'ns', pod: 'p', uid: '', container: 'c', ...request });

    it('finds a running container, an ephemeral one included', () => {
      expect(resolve({})).to.deep.include({ uid: 'uid-1', container: 'c', name: 'p', namespace: 'ns' });
      expect(resolve({ container: 'debugger' }).container).to.equal('debugger');
      expect(resolve({ uid: 'uid-1' }).uid).to.equal('uid-1');
    });

    it("answers with the kubelet's messages", () => {
      expect(() => resolve({ pod: 'nope' })).to.throw('pod does not exist');
      expect(() => resolve({ uid: 'other' })).to.throw('pod not found');
      expect(() => resolve({ container: 'x' })).to.throw('container not found ("x")');
      expect(() => resolve({ container: 'd' })).to.throw('container not found ("d")');
    });

    it('trusts only a synced runner view to say a container does not run', () => {
      const unsynced = { isSynced: () => false, getPod: () => undefined };
      expect(resolve({ container: 'd' }, unsynced).container).to.equal('d');
    });
  });
});
