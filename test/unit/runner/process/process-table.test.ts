import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  childrenByParent,
  escapedDescendants,
  membersByGroup,
  parsePodIdentity,
  parseProcStat,
  ProcessTable,
  type ProcEntry,
} from '../../../../src/runner/process/process-table.js';
import { groupUsage, parseMeminfo, parseProcStatCpu } from '../../../../src/runner/host/stats-collector.js';
import { kubernetesArch, parseSlurmTime, prettyName } from '../../../../src/runner/host/node-info.js';
import { proc } from '../support/fake-world.js';

function stat(
  pid: number,
  comm: string,
  state: string,
  ppid: number,
  pgrp: number,
  utime = 0,
  stime = 0,
  cutime = 0,
  cstime = 0,
  start = 100,
  rss = 10,
): string {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal starttime vsize rss
  return `${pid} (${comm}) ${state} ${ppid} ${pgrp} ${pgrp} 0 -1 0 0 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 ${start} 1000 ${rss} 0 0`;
}

function entry(
  pid: number,
  ppid: number,
  pgrp: number,
  state = 'S',
  extra: Partial<ProcEntry> = {},
): ProcEntry {
  return proc(pid, pgrp, { ppid, state, ...extra });
}

describe('process-table', () => {
  it('parses /proc/<pid>/stat, including a command with spaces and parentheses', () => {
    expect(parseProcStat(42, stat(42, 'a (b) c', 'R', 1, 40, 5, 6, 7, 8, 999, 123))).to.deep.equal({
      pid: 42,
      state: 'R',
      ppid: 1,
      pgrp: 40,
      utimeTicks: 5,
      stimeTicks: 6,
      cutimeTicks: 7,
      cstimeTicks: 8,
      startTicks: 999,
      rssPages: 123,
    });
    expect(parseProcStat(1, 'garbage')).to.equal(undefined);
  });

  it('reads every field as splitting the text would, for real and truncated lines', () => {
    const bySplit = (pid: number, text: string): ProcEntry | undefined => {
      const f = text
        .slice(text.lastIndexOf(')') + 2)
        .trim()
        .split(' ');
      if (text.lastIndexOf(')') === -1 || f.length < 22) return undefined;
      const n = (i: number): number => Number(f[i]);
      return {
        pid,
        state: f[0]!,
        ppid: n(1),
        pgrp: n(2),
        utimeTicks: n(11),
        stimeTicks: n(12),
        cutimeTicks: n(13),
        cstimeTicks: n(14),
        startTicks: n(19),
        rssPages: n(21),
      };
    };
    const self = readFileSync('/proc/self/stat', 'latin1');
    const lines = [
      self,
      self.trim(),
      '7 (sh) S 1 7 7 0 -1 4194560 97 0 0 0 1 2 3 4 20 0 1 0 123456 2342912 5 18446744073709551615 1 1 0 0 0 0 65536 4 65538 1 0 0 17 0 0 0 0 0 0\n',
      '8 (a b) c) Z 1 8 8 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n',
      '9 (x) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0\n',
      '10 (x) S',
    ];
    for (const line of lines) expect(parseProcStat(5, line), line).to.deep.equal(bySplit(5, line));
  });

  it('groups live members and leaves zombies out', () => {
    const groups = membersByGroup([entry(10, 1, 10), entry(11, 10, 10, 'Z'), entry(12, 1, 12, 'Z')]);
    expect(groups.get(10)!.map((e) => e.pid)).to.deep.equal([10]);
    expect(groups.has(12)).to.equal(false);
  });

  it('finds descendants that left the group, through intermediate processes', () => {
    const entries = [
      entry(100, 1, 100), // leader
      entry(101, 100, 100), // member
      entry(200, 101, 200), // setsid child: escaped
      entry(201, 200, 200), // its child: escaped
      entry(300, 1, 300), // unrelated
      entry(202, 200, 202, 'Z'), // escaped zombie: not live
    ];
    const members = membersByGroup(entries).get(100)!;
    expect(
      escapedDescendants(childrenByParent(entries), members, 100)
        .map((e) => e.pid)
        .sort(),
    ).to.deep.equal([200, 201]);
  });

  it("reads a pod's identity from a process environment, whole entries only", () => {
    const env = (...entries: string[]) => Buffer.from(entries.map((e) => `${e}\0`).join(''));
    expect(
      parsePodIdentity(env('PATH=/bin', 'VK_CMD_POD_UID=u-1', 'VK_CMD_POD_DIR=/r/ns/p', 'X=y')),
    ).to.deep.equal({ uid: 'u-1', podDir: '/r/ns/p' });
    expect(parsePodIdentity(env('PATH=/bin', 'HOME=/root'))).to.equal(undefined);
    expect(parsePodIdentity(env('VK_CMD_POD_UID=u-1')), 'no pod directory').to.equal(undefined);
    expect(
      parsePodIdentity(env('NOTE=VK_CMD_POD_UID=u-1', 'XVK_CMD_POD_DIR=/r', 'VK_CMD_POD_DIR=/r')),
      'only at the start of an entry',
    ).to.equal(undefined);
    expect(
      parsePodIdentity(env('VK_CMD_POD_UID=u-1', 'VK_CMD_LAUNCH_TOKEN=abc', 'VK_CMD_POD_DIR=/r/ns/p')),
      'with the launch token of its run',
    ).to.deep.equal({ uid: 'u-1', podDir: '/r/ns/p', launchToken: 'abc' });
    // The first of duplicated names wins, as getenv() reads them.
    expect(parsePodIdentity(env('VK_CMD_POD_UID=a', 'VK_CMD_POD_DIR=/d', 'VK_CMD_POD_UID=b'))).to.deep.equal({
      uid: 'a',
      podDir: '/d',
    });
  });

  it('scans an injected /proc root', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-proc-'));
    try {
      for (const [pid, text] of [
        [5, stat(5, 'sh', 'S', 1, 5)],
        [6, stat(6, 'sleep', 'Z', 5, 5)],
      ] as const) {
        mkdirSync(path.join(root, String(pid)));
        writeFileSync(path.join(root, String(pid), 'stat'), text);
      }
      writeFileSync(path.join(root, '5', 'environ'), 'A=b\0VK_CMD_POD_UID=u\0VK_CMD_POD_DIR=/p\0');
      mkdirSync(path.join(root, 'self'));
      mkdirSync(path.join(root, '7')); // vanished while reading: no stat file
      const table = new ProcessTable(root);
      expect(table.scan().map((e) => [e.pid, e.state])).to.deep.equal([
        [5, 'S'],
        [6, 'Z'],
      ]);
      expect(table.read(9)).to.equal(undefined);
      expect(table.readPodIdentity(5)).to.deep.equal({ uid: 'u', podDir: '/p' });
      expect(table.readPodIdentity(6)).to.equal(undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('stats and node parsers', () => {
  it('container usage: CPU of live processes incl. waited-for children in ns; never 0 for a live container', () => {
    expect(
      groupUsage(
        [
          entry(1, 0, 1, 'R', {
            utimeTicks: 100,
            stimeTicks: 50,
            cutimeTicks: 10,
            cstimeTicks: 5,
            rssPages: 100,
          }),
        ],
        4096,
      ),
    ).to.deep.equal({
      cpuNs: 1_650_000_000,
      rssBytes: 409_600,
      processes: 1,
    });
    expect(groupUsage([entry(1, 0, 1, 'S', { rssPages: 0 })], 4096)).to.deep.equal({
      cpuNs: 1,
      rssBytes: 1,
      processes: 1,
    });
  });

  it('/proc/stat and /proc/meminfo', () => {
    expect(parseProcStatCpu('cpu  10 1 5 1000 7 2 3 4 0 0\ncpu0 1 1 1 1\nbtime 1700000000\n')).to.deep.equal({
      busyTicks: 25,
      bootTimeSeconds: 1700000000,
    });
    const mem = parseMeminfo(
      'MemTotal:       16000 kB\nMemFree:        1000 kB\nMemAvailable:   8000 kB\nHugePages_Total:       0\n',
    );
    expect([mem.get('MemTotal'), mem.get('MemAvailable'), mem.get('HugePages_Total')]).to.deep.equal([
      16000 * 1024,
      8000 * 1024,
      0,
    ]);
  });

  it('node info helpers', () => {
    expect(['x64', 'arm64', 'ppc64', 's390x'].map(kubernetesArch)).to.deep.equal([
      'amd64',
      'arm64',
      'ppc64le',
      's390x',
    ]);
    expect(prettyName('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).to.equal(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(parseSlurmTime('2030-05-01T12:00:00\n')).to.equal(new Date('2030-05-01T12:00:00').getTime());
    expect(parseSlurmTime('Unknown')).to.equal(undefined);
    expect(parseSlurmTime('N/A')).to.equal(undefined);
  });
});
