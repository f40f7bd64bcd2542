import { expect } from 'chai';
import { DEFAULT_FLAGS } from '../../../bench/bench-flags.js';
import { apiRequestsPerPod, costRows } from '../../../bench/scenarios/lifecycle-costs.js';

const sample = (verb: string, resource: string, code: string, value: number) => ({
  labels: { verb, resource, code },
  value,
});

describe('apiRequestsPerPod', () => {
  it('gives each verb and resource per pod over the window, every code counted, and the total', () => {
    const before = [sample('patch', 'pods/status', '200', 10), sample('create', 'events', '201', 4)];
    const after = [
      sample('patch', 'pods/status', '200', 410),
      sample('patch', 'pods/status', '409', 2),
      sample('create', 'events', '201', 4),
      sample('delete', 'pods', '200', 8),
    ];
    expect(apiRequestsPerPod(before, after, 200)).to.deep.equal({
      'delete pods': 0.04,
      'patch pods/status': 2.01,
      total: 2.05,
    });
  });

  it('is empty without both readings or pods', () => {
    expect(apiRequestsPerPod(undefined, [], 10)).to.deep.equal({});
    expect(apiRequestsPerPod([], [], 0)).to.deep.equal({});
  });
});

describe('costRows', () => {
  const window = (cpuMs: number, seconds: number) => ({ cpuMs, seconds });
  const rows = costRows(
    'latency',
    { ...DEFAULT_FLAGS },
    {
      pods: 100,
      baseline: {
        runner: window(100, 10),
        'runner: launcher': window(0, 10),
        kubelet: window(200, 10),
        benchmark: window(50, 10),
        'control plane': window(500, 10),
      },
      scenario: {
        runner: window(1200, 20),
        'runner: launcher': window(150, 20),
        kubelet: window(1400, 20),
        benchmark: window(700, 20),
        'control plane': window(6000, 20),
      },
      delaysBefore: {},
      delaysAfter: {},
    },
  ).rows;
  const value = (name: string) =>
    rows.find((r) => r.id === `latency.${name}`) as { value: number; label: string } | undefined;

  it("charges each pod its share of each group's CPU, with the idle rate taken off; the runner's row says its launcher is in", () => {
    expect(value('runner_cpu_ms_per_pod')?.value).to.equal(10);
    expect(value('runner_cpu_ms_per_pod')?.label).to.contain('with its launcher');
    expect(value('kubelet_cpu_ms_per_pod')?.value).to.equal(10);
  });

  it("reports the benchmark process's own CPU per pod, so the machine's budget adds up", () => {
    expect(value('benchmark_cpu_ms_per_pod')?.value).to.equal(6);
    expect(value('control_plane_cpu_ms_per_pod')?.value).to.equal(50);
  });
});
