import { expect } from 'chai';
import {
  renderResourceMetrics,
  renderResourceMetricsError,
} from '../../../../src/kubelet/api/resource-metrics.js';
import { sampleStats, samplePods } from '../../../fixtures/kubelet-api/stats-fixture.js';

// What a kubelet serves for the fixture, byte for byte (sample time 1714564800500 ms).
const EXPECTED = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="job",namespace="team-b",pod="batch"} 0.25 1714564800500
container_cpu_usage_seconds_total{container="main",namespace="team-a",pod="web"} 1.5 1714564800500
container_cpu_usage_seconds_total{container="sidecar",namespace="team-a",pod="web"} 1e-09 1714564800500
# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="job",namespace="team-b",pod="batch"} 1.048576e+06 1714564800500
container_memory_working_set_bytes{container="main",namespace="team-a",pod="web"} 5.24288e+07 1714564800500
container_memory_working_set_bytes{container="sidecar",namespace="team-a",pod="web"} 1 1714564800500
# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
# TYPE container_start_time_seconds gauge
container_start_time_seconds{container="job",namespace="team-b",pod="batch"} 1.714563e+09
container_start_time_seconds{container="main",namespace="team-a",pod="web"} 1.71456120025e+09
container_start_time_seconds{container="sidecar",namespace="team-a",pod="web"} 1.714564799e+09
# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total 86400 1714564800500
# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
# TYPE node_memory_working_set_bytes gauge
node_memory_working_set_bytes 4e+09 1714564800500
# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds
# TYPE pod_cpu_usage_seconds_total counter
pod_cpu_usage_seconds_total{namespace="team-a",pod="web"} 1.500000001 1714564800500
pod_cpu_usage_seconds_total{namespace="team-b",pod="batch"} 0.25 1714564800500
# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes
# TYPE pod_memory_working_set_bytes gauge
pod_memory_working_set_bytes{namespace="team-a",pod="web"} 5.2428801e+07 1714564800500
pod_memory_working_set_bytes{namespace="team-b",pod="batch"} 1.048576e+06 1714564800500
# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
# TYPE resource_scrape_error gauge
resource_scrape_error 0
# HELP scrape_error [ALPHA] (Deprecated since 1.29.0) 1 if there was an error while getting container metrics, 0 otherwise
# TYPE scrape_error gauge
scrape_error 0
`;

// The series metrics-server's decoder (pkg/scraper/client/resource/decode.go) matches by name.
const METRICS_SERVER_NAMES = [
  'node_cpu_usage_seconds_total',
  'node_memory_working_set_bytes',
  'container_cpu_usage_seconds_total',
  'container_memory_working_set_bytes',
  'container_start_time_seconds',
];

describe('renderResourceMetrics', () => {
  const text = renderResourceMetrics(sampleStats(), samplePods(), 0);

  it('renders exactly what a kubelet serves', () => {
    expect(text).to.equal(EXPECTED);
  });

  it('has every series metrics-server reads', () => {
    for (const name of METRICS_SERVER_NAMES) expect(text).to.match(new RegExp(`^${name}[ {]`, 'm'));
  });

  it('never reports 0 CPU or memory for a running container', () => {
    const zeros = text
      .split('\n')
      .filter((l) => /^(container|pod|node)_(cpu|memory)/.test(l))
      .filter((l) => l.split(' ')[1] === '0');
    expect(zeros).to.deep.equal([]);
  });

  it('leaves out pods the API does not know', () => {
    expect(text).to.not.contain('team-c');
  });

  it('stamps usage with the current time when the runner gives none', () => {
    const stats = { ...sampleStats(), timestampMs: 0 };
    expect(renderResourceMetrics(stats, samplePods(), 1_700_000_000_123)).to.contain(
      'node_cpu_usage_seconds_total 86400 1700000000123\n',
    );
  });

  it('with no pods and no node, reports only the scrape errors', () => {
    const out = renderResourceMetrics({ timestampMs: 1, node: null, pods: [] }, [], 0);
    expect(out.split('\n').filter((l) => l && !l.startsWith('#'))).to.deep.equal([
      'resource_scrape_error 0',
      'scrape_error 0',
    ]);
  });

  it('reports a failed collection as resource_scrape_error 1', () => {
    expect(renderResourceMetricsError())
      .to.contain('\nresource_scrape_error 1\n')
      .and.contain('\nscrape_error 1\n');
  });
});
