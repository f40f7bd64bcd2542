import { expect } from 'chai';
import { renderProbeMetrics } from '../../../../src/kubelet/api/probe-metrics.js';

describe('/metrics/probes: prober_probe_total as a kubelet serves it', () => {
  it('one series per result that occurred, labels sorted by name, values escaped', () => {
    const text = renderProbeMetrics([
      {
        podUid: 'u-1',
        namespace: 'default',
        pod: 'web',
        container: 'srv',
        probeType: 'Readiness',
        successful: 12,
        failed: 3,
        unknown: 0,
        skipped: 0,
      },
      {
        podUid: 'u-2',
        namespace: 'default',
        pod: 'odd"name',
        container: 'c',
        probeType: 'Liveness',
        successful: 0,
        failed: 0,
        unknown: 0,
        skipped: 0,
      },
    ]);
    expect(text).to.equal(
      [
        '# HELP prober_probe_total [BETA] Cumulative number of a liveness, readiness or startup probe for a container by result.',
        '# TYPE prober_probe_total counter',
        'prober_probe_total{container="srv",namespace="default",pod="web",pod_uid="u-1",probe_type="Readiness",result="failed"} 3',
        'prober_probe_total{container="srv",namespace="default",pod="web",pod_uid="u-1",probe_type="Readiness",result="successful"} 12',
        '',
      ].join('\n'),
    );
  });

  it('ticks skipped without a run get their own counter, only for probes that had any', () => {
    const counter = {
      podUid: 'u-1',
      namespace: 'default',
      pod: 'web',
      container: 'srv',
      probeType: 'Liveness',
      successful: 4,
      failed: 0,
      unknown: 0,
    };
    const text = renderProbeMetrics([
      { ...counter, skipped: 7 },
      { ...counter, probeType: 'Readiness', skipped: 0 },
    ]);
    expect(text).to.contain(
      '# TYPE vk_cmd_prober_probe_skipped_total counter\nvk_cmd_prober_probe_skipped_total{container="srv",namespace="default",pod="web",pod_uid="u-1",probe_type="Liveness"} 7\n',
    );
    expect(text).not.to.contain('probe_type="Readiness"} 0');
    expect(text.startsWith('# HELP prober_probe_total')).to.equal(true);
  });

  it('no probes: an empty exposition', () => {
    expect(renderProbeMetrics([])).to.equal('');
  });

  it('escapes backslashes, quotes and newlines in label values', () => {
    const text = renderProbeMetrics([
      {
        podUid: 'u',
        namespace: 'n',
        pod: 'a"b\\c\nd',
        container: 'c',
        probeType: 'Startup',
        successful: 1,
        failed: 0,
        unknown: 0,
        skipped: 0,
      },
    ]);
    expect(text).to.contain('pod="a\\"b\\\\c\\nd"');
  });
});
