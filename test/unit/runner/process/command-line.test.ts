import { expect } from 'chai';
import { buildArgv, buildProcessEnv, identityEnv } from '../../../../src/runner/process/command-line.js';
import { findExecutable } from '../../../../src/runner/process/container-launcher.js';
import { memoizedForTurn } from '../../../../src/runner/process/memoized-for-turn.js';

describe('command-line', () => {
  const env = [
    { name: 'A', value: 'alpha' },
    { name: 'B', value: 'two words' },
    { name: 'A', value: 'later wins' },
  ];
  const cases: Array<[string, string[], string | undefined, string[], string[]]> = [
    [
      'wiki example',
      ['bash'],
      '/r/c1/stress/job1/stress.sh',
      ['300', '2'],
      ['bash', '/r/c1/stress/job1/stress.sh', '300', '2'],
    ],
    ['no script', ['echo', 'hi'], undefined, ['x'], ['echo', 'hi', 'x']],
    ['script is the program', [], '/r/s.sh', ['a'], ['/r/s.sh', 'a']],
    [
      'expansion',
      ['echo', '$(A)'],
      undefined,
      ['$(B)', 'x$(A)y'],
      ['echo', 'later wins', 'two words', 'xlater winsy'],
    ],
    ['undefined stays', ['echo'], undefined, ['$(NOPE)', '$(A'], ['echo', '$(NOPE)', '$(A']],
    ['escaped dollar', ['echo'], undefined, ['$$(A)', '$$'], ['echo', '$(A)', '$']],
    [
      'no shell re-parsing',
      ['echo'],
      undefined,
      ['a b', '"q"', '$HOME', ';rm'],
      ['echo', 'a b', '"q"', '$HOME', ';rm'],
    ],
    ['nothing', [], undefined, [], []],
  ];
  for (const [what, command, script, args, expected] of cases) {
    it(`builds argv: ${what}`, () => {
      expect(buildArgv({ command, args }, script, env)).to.deep.equal(expected);
    });
  }

  it('process env: runner env, then the pod env in order, identity last', () => {
    const identity = identityEnv({
      podName: 'p',
      podNamespace: 'n',
      podUid: 'u',
      containerName: 'c',
      podDir: '/r/n/p',
      containerDir: '/r/n/p/containers/c',
    });
    const out = buildProcessEnv({ PATH: '/bin', SLURM_JOB_ID: '7', A: 'runner', UNSET: undefined }, [
      ...env,
      ...identity,
    ]);
    expect(out).to.include({
      PATH: '/bin',
      SLURM_JOB_ID: '7',
      A: 'later wins',
      B: 'two words',
      VK_CMD_POD_NAME: 'p',
      VK_CMD_POD_NAMESPACE: 'n',
      VK_CMD_POD_UID: 'u',
      VK_CMD_CONTAINER_NAME: 'c',
      VK_CMD_CONTAINER_DIR: '/r/n/p/containers/c',
      VK_CMD_POD_DIR: '/r/n/p',
    });
    expect(out).to.not.have.property('UNSET');
  });

  describe('findExecutable', () => {
    const files: Record<string, 'ok' | 'EACCES' | 'EISDIR'> = {
      '/usr/bin/bash': 'ok',
      '/opt/x/tool': 'EACCES',
      '/work/run.sh': 'ok',
      '/work/dir': 'EISDIR',
    };
    const check = (f: string) => files[f] ?? 'ENOENT';
    const table: Array<[string, string | undefined, string]> = [
      ['bash', '/opt/x:/usr/bin', 'ok /usr/bin/bash'],
      ['bsh', '/usr/bin', 'no such file or directory'],
      ['tool', '/opt/x', 'permission denied'],
      ['./run.sh', '/usr/bin', 'ok /work/run.sh'],
      ['/work/dir', '/usr/bin', 'is a directory'],
      ['run.sh', ':/usr/bin', 'ok /work/run.sh'],
    ];
    for (const [cmd, pathVar, expected] of table) {
      it(`${cmd} with PATH=${pathVar} -> ${expected}`, () => {
        const r = findExecutable(cmd, '/work', pathVar, check);
        expect(r.ok ? `ok ${r.file}` : r.problem).to.equal(expected);
      });
    }
  });

  it('a PATH search repeated within one event-loop turn looks at each file once; the next turn looks again', () => {
    const looked: string[] = [];
    const turns: Array<() => void> = [];
    const check = memoizedForTurn(
      (file) => {
        looked.push(file);
        return file === '/b/run' ? ('ok' as const) : ('ENOENT' as const);
      },
      (fn) => turns.push(fn),
    );
    for (let i = 0; i < 3; i++)
      expect(findExecutable('run', '/w', '/a:/b', check)).to.deep.equal({ ok: true, file: '/b/run' });
    expect(looked).to.deep.equal(['/a/run', '/b/run']);
    turns.shift()!();
    findExecutable('run', '/w', '/a:/b', check);
    expect(looked, 'a new turn').to.have.length(4);
    expect(turns).to.have.length(1);
  });
});
