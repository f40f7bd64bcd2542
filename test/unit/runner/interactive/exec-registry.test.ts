import { expect } from 'chai';
import { pino } from 'pino';
import type { Pod } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import { ExecRegistry, stoppedContainers } from '../../../../src/runner/interactive/exec-registry.js';
import { isExecEnviron, killOrphanedExecs } from '../../../../src/runner/interactive/orphan-execs.js';
import type { ProcEntry } from '../../../../src/runner/process/process-table.js';

const running = { state: 'running' as const, running: { startedAtMs: 1 } };
const done = { state: 'terminated' as const, terminated: { exitCode: 0 } };

function pod(
  states: Record<string, typeof running | typeof done>,
  ephemeral: Record<string, typeof running | typeof done> = {},
): Pod {
  return {
    uid: 'u1',
    namespace: 'ns',
    name: 'p',
    containerStatuses: Object.entries(states).map(([name, state]) => ({ name, state })),
    ephemeralContainerStatuses: Object.entries(ephemeral).map(([name, state]) => ({ name, state })),
  };
}

describe('interactive/exec-registry', () => {
  function registry(alive: Set<number> = new Set()) {
    const killed: string[] = [];
    const r = new ExecRegistry((pgid) => alive.has(pgid));
    const add = (id: string, container: string, pgid: number | undefined, podUid = 'u1') =>
      r.add({ id, podUid, container, pgid, kill: (reason) => killed.push(`${id}: ${reason}`) });
    return { r, killed, add };
  }

  it('names the containers that are not running, ephemeral ones included', () => {
    expect(stoppedContainers(pod({ a: running, b: done }, { d: done, e: running }))).to.deep.equal([
      'b',
      'd',
    ]);
  });

  it("kills a container's sessions when it stops, and every session of a deleted pod", () => {
    const { r, killed, add } = registry();
    add('x', 'a', 10);
    add('y', 'b', 11);
    add('z', 'b', undefined);
    add('other', 'b', 12, 'u2');
    r.observe({
      type: 'WATCH_EVENT_TYPE_MODIFIED',
      revision: 1,
      epoch: 'e',
      pod: pod({ a: running, b: done }),
    });
    expect(killed).to.deep.equal(['y: container b is not running', 'z: container b is not running']);
    r.observe({ type: 'WATCH_EVENT_TYPE_DELETED', revision: 2, epoch: 'e', pod: pod({ a: running }) });
    expect(killed.slice(2)).to.deep.equal(['x: pod ns/p was deleted']);
    expect(r.size).to.equal(1);
  });

  it('keeps an ended session whose group still has processes, for stats, until the container stops', () => {
    const { r, add } = registry(new Set([10]));
    add('x', 'a', 10);
    add('y', 'a', 11);
    add('attach', 'a', undefined);
    r.sessionEnded('x');
    r.sessionEnded('y');
    r.sessionEnded('attach');
    expect(r.groupsOf('u1', 'a')).to.deep.equal([10]);
    expect(r.groupsOf('u1', 'b')).to.deep.equal([]);
  });

  it('kills everything at shutdown', () => {
    const { r, killed, add } = registry();
    add('x', 'a', 10);
    add('y', 'b', 11);
    r.killAll('bye');
    expect(killed).to.deep.equal(['x: bye', 'y: bye']);
    expect(r.size).to.equal(0);
  });
});

describe('interactive/orphan-execs', () => {
  const env = (...vars: string[]): Buffer => Buffer.from(`${vars.join('\0')}\0`);
  const mine = ['VK_CMD_POD_UID=u1', 'VK_CMD_POD_DIR=/r/ns/p'];
  const entry = (pid: number, state = 'S'): ProcEntry => ({
    pid,
    state,
    ppid: 1,
    pgrp: pid,
    utimeTicks: 0,
    stimeTicks: 0,
    cutimeTicks: 0,
    cstimeTicks: 0,
    startTicks: 1,
    rssPages: 1,
  });

  it('recognises an exec session in an environment block', () => {
    expect(isExecEnviron(env('A=1', 'VK_CMD_EXEC_ID=x'))).to.equal(true);
    expect(isExecEnviron(env('VK_CMD_EXEC_ID=x'))).to.equal(true);
    expect(isExecEnviron(env('A=VK_CMD_EXEC_ID=x'))).to.equal(false);
    expect(isExecEnviron(env('A=1'))).to.equal(false);
  });

  it("kills only live exec'd processes of this runner's pods, never itself", () => {
    const environs = new Map<number, Buffer>([
      [2, env(...mine, 'VK_CMD_EXEC_ID=a')],
      [3, env(...mine)],
      [4, env('VK_CMD_POD_UID=u1', 'VK_CMD_POD_DIR=/other/ns/p', 'VK_CMD_EXEC_ID=b')],
      [5, env(...mine, 'VK_CMD_EXEC_ID=c')],
      [6, env(...mine, 'VK_CMD_EXEC_ID=d')],
    ]);
    const killed: number[] = [];
    const n = killOrphanedExecs({
      scan: () => [entry(2), entry(3), entry(4), entry(5, 'Z'), entry(6)],
      environ: (pid) => environs.get(pid),
      kill: (pid) => killed.push(pid),
      ownsPod: (uid, dir) => uid === 'u1' && dir === '/r/ns/p',
      selfPid: 6,
      log: pino({ level: 'silent' }),
    });
    expect(killed).to.deep.equal([2]);
    expect(n).to.equal(1);
  });
});
