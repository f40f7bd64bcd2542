import { expect } from 'chai';
import {
  cgroupId,
  renderCadvisorMetrics,
  renderCadvisorMetricsError,
} from '../../../../src/kubelet/api/cadvisor-metrics.js';
import { formatGoFloat } from '../../../../src/kubelet/api/prometheus-text.js';
import {
  BOOT_TIME_MS,
  SAMPLE_TIME_MS,
  WEB_STARTED_MS,
  samplePods,
  sampleStats,
} from '../../../fixtures/kubelet-api/stats-fixture.js';

const T = SAMPLE_TIME_MS;

/** The sample lines of one family. */
function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('renderCadvisorMetrics', () => {
  const pods = samplePods();
  pods[0]!.status!.containerStatuses![0]!.containerID = 'vk-cmd://team-a_web_main_4242';
  const text = renderCadvisorMetrics(sampleStats(), pods, 0);

  it("writes cAdvisor's help and type lines", () => {
    for (const [name, type, help] of [
      ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.'],
      ['container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.'],
      ['container_memory_rss', 'gauge', 'Size of RSS in bytes.'],
      [
        'container_fs_usage_bytes',
        'gauge',
        'Number of bytes that are consumed by the container on this filesystem.',
      ],
      ['container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds.'],
      [
        'container_scrape_error',
        'gauge',
        '1 if there was an error while getting container metrics, 0 otherwise',
      ],
    ]) {
      expect(text).to.contain(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
    }
  });

  it('labels each container as the kubelet does, with sorted label names and the sample time', () => {
    expect(seriesOf(text, 'container_cpu_usage_seconds_total')).to.include(
      `container_cpu_usage_seconds_total{container="main",cpu="total",id="${cgroupId('uid-web', 'main')}",` +
        `image="script/run.sh",name="vk-cmd://team-a_web_main_4242",namespace="team-a",pod="web"} 1.5 ${T}`,
    );
    expect(seriesOf(text, 'container_memory_rss')).to.include(
      `container_memory_rss{container="main",id="/vk-cmd/poduid-web/main",image="script/run.sh",` +
        `name="vk-cmd://team-a_web_main_4242",namespace="team-a",pod="web"} 4e+07 ${T}`,
    );
    expect(seriesOf(text, 'container_fs_usage_bytes')).to.include(
      `container_fs_usage_bytes{container="main",device="",id="/vk-cmd/poduid-web/main",image="script/run.sh",` +
        `name="vk-cmd://team-a_web_main_4242",namespace="team-a",pod="web"} 12048 ${T}`,
    );
  });

  it('gives start times in whole seconds without a timestamp', () => {
    expect(seriesOf(text, 'container_start_time_seconds')).to.include(
      `container_start_time_seconds{container="main",id="/vk-cmd/poduid-web/main",image="script/run.sh",` +
        `name="vk-cmd://team-a_web_main_4242",namespace="team-a",pod="web"} ${formatGoFloat(Math.floor(WEB_STARTED_MS / 1000))}`,
    );
  });

  it('reports the node as the root cgroup and each pod as the sum of its containers', () => {
    expect(seriesOf(text, 'container_memory_working_set_bytes')).to.include(
      `container_memory_working_set_bytes{container="",id="/",image="",name="",namespace="",pod=""} 4e+09 ${T}`,
    );
    expect(seriesOf(text, 'container_fs_usage_bytes')).to.include(
      `container_fs_usage_bytes{container="",device="",id="/",image="",name="",namespace="",pod=""} 4e+10 ${T}`,
    );
    expect(seriesOf(text, 'container_start_time_seconds')).to.include(
      `container_start_time_seconds{container="",id="/",image="",name="",namespace="",pod=""} ${formatGoFloat(BOOT_TIME_MS / 1000)}`,
    );
    expect(seriesOf(text, 'container_memory_working_set_bytes')).to.include(
      `container_memory_working_set_bytes{container="",id="/vk-cmd/poduid-web",image="",name="",namespace="team-a",pod="web"} 5.24288e+07 ${T}`,
    );
  });

  it('leaves out pods the API does not know and CPU counters that have not moved', () => {
    expect(text).not.to.contain('team-c');
    const sidecarCpu = seriesOf(text, 'container_cpu_usage_seconds_total').filter((l) =>
      l.includes('container="sidecar"'),
    );
    expect(sidecarCpu).to.deep.equal([]);
    expect(seriesOf(text, 'container_memory_working_set_bytes').some((l) => l.includes('sidecar'))).to.equal(
      true,
    );
  });

  it('reads 0 on the scrape error gauge, and 1 when the runner could not be asked', () => {
    expect(seriesOf(text, 'container_scrape_error')).to.deep.equal(['container_scrape_error 0']);
    expect(renderCadvisorMetricsError()).to.equal(
      '# HELP container_scrape_error 1 if there was an error while getting container metrics, 0 otherwise\n' +
        '# TYPE container_scrape_error gauge\ncontainer_scrape_error 1\n',
    );
  });
});
