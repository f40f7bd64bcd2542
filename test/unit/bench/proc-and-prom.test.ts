import { expect } from 'chai';
import { parseProcStatCpuTicks, parseProcStatNice, parseProcStatus } from '../../../bench/proc-stats.js';
import { counterDeltas, parseSamples } from '../../../bench/prom-text.js';

describe('bench /proc parsing', () => {
  it('reads VmRSS, VmHWM, RssAnon and RssFile in kB', () => {
    const text =
      'Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\n' +
      'RssAnon:\t   29000 kB\nRssFile:\t   40900 kB\nRssShmem:\t     100 kB\n';
    expect(parseProcStatus(text)).to.deep.equal({
      vmRssKb: 70000,
      vmHwmKb: 81234,
      rssAnonKb: 29000,
      rssFileKb: 40900,
    });
    expect(parseProcStatus('Name:\tx\n').vmRssKb).to.be.NaN;
  });

  it('adds utime and stime, counting fields after the last parenthesis', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 11 0';
    expect(parseProcStatCpuTicks(stat)).to.equal(1801);
    expect(() => parseProcStatCpuTicks('1 (x) S')).to.throw(/malformed/);
  });

  it('reads the nice value (field 19), negative ones included', () => {
    // ... utime stime cutime cstime priority nice num_threads ...
    const stat = (nice: number): string =>
      `4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 ${20 + nice} ${nice} 11 0`;
    expect(parseProcStatNice(stat(0))).to.equal(0);
    expect(parseProcStatNice(stat(-10))).to.equal(-10);
    expect(parseProcStatNice(stat(19))).to.equal(19);
    expect(() => parseProcStatNice('1 (x) S 1')).to.throw(/malformed/);
  });
});

describe('bench Prometheus text parsing', () => {
  const text = [
    '# HELP vkcmd_kubelet_apiserver_requests_total Requests sent.',
    '# TYPE vkcmd_kubelet_apiserver_requests_total counter',
    'vkcmd_kubelet_apiserver_requests_total{verb="patch",resource="pods",code="200"} 12',
    'vkcmd_kubelet_apiserver_requests_total{verb="update",resource="leases",code="200"} 3',
    'vkcmd_kubelet_apiserver_requests_total_extra{verb="x"} 99',
    'vkcmd_kubelet_apiserver_requests_total{verb="get",resource="odd\\"name}",code="404"} 1',
    'other_metric 5',
  ].join('\n');

  it('finds the samples of exactly the named metric, labels unescaped', () => {
    const samples = parseSamples(text, 'vkcmd_kubelet_apiserver_requests_total');
    expect(samples).to.have.length(3);
    expect(samples[0]).to.deep.equal({ labels: { verb: 'patch', resource: 'pods', code: '200' }, value: 12 });
    expect(samples[2]!.labels['resource']).to.equal('odd"name}');
    expect(parseSamples(text, 'other_metric')).to.deep.equal([{ labels: {}, value: 5 }]);
  });

  it('differences counters per series; new series count from zero, unchanged ones are left out', () => {
    const before = parseSamples(text, 'vkcmd_kubelet_apiserver_requests_total');
    const after = parseSamples(
      text.replace('"200"} 12', '"200"} 15') +
        '\nvkcmd_kubelet_apiserver_requests_total{verb="get",resource="nodes",code="200"} 2',
      'vkcmd_kubelet_apiserver_requests_total',
    );
    expect([...counterDeltas(before, after).entries()]).to.deep.equal([
      ['code=200,resource=pods,verb=patch', 3],
      ['code=200,resource=nodes,verb=get', 2],
    ]);
  });
});
