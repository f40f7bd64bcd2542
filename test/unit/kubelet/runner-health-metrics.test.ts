import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { RunnerHealth__Output } from '../../../src/generated/vkcmd/runner/v1/RunnerHealth.js';
import { registerRunnerHealthMetrics } from '../../../src/kubelet/runner-health-metrics.js';

function health(): RunnerHealth__Output {
  return {
    timestampMs: 1_714_564_800_000,
    startedAtMs: 1_714_560_000_000,
    eventLoopDelay: { samples: 10, p50Ms: 10, p99Ms: 30, maxMs: 42 },
    eventLoopDelaySinceLastCall: { samples: 2, p50Ms: 10, p99Ms: 10, maxMs: 10 },
    eventLoopDelayBoundsMs: [10, 20, 50],
    eventLoopDelayCounts: [6, 8, 9],
    eventLoopDelaySumMs: 150,
    rssBytes: 70_000_000,
    pods: 3,
    procScans: 17,
    lastProcScanRoundMs: 4.5,
  };
}

describe('runner health on the kubelet /metrics', () => {
  it('serves GetRunnerHealth as vkcmd_runner_* series, asking the runner once per scrape', async () => {
    const registry = new Registry();
    let calls = 0;
    registerRunnerHealthMetrics(registry, () => {
      calls++;
      return Promise.resolve(health());
    });
    const text = await registry.metrics();
    expect(calls).to.equal(1);
    for (const line of [
      '# TYPE vkcmd_runner_event_loop_delay_seconds histogram',
      'vkcmd_runner_event_loop_delay_seconds_bucket{le="0.01"} 6',
      'vkcmd_runner_event_loop_delay_seconds_bucket{le="0.05"} 9',
      'vkcmd_runner_event_loop_delay_seconds_bucket{le="+Inf"} 10',
      'vkcmd_runner_event_loop_delay_seconds_sum 0.15',
      'vkcmd_runner_event_loop_delay_seconds_count 10',
      'vkcmd_runner_event_loop_delay_max_seconds 0.042',
      'vkcmd_runner_resident_memory_bytes 70000000',
      'vkcmd_runner_pods 3',
      '# TYPE vkcmd_runner_proc_scans_total counter',
      'vkcmd_runner_proc_scans_total 17',
      'vkcmd_runner_last_proc_scan_round_seconds 0.0045',
      'vkcmd_runner_start_time_seconds 1714560000',
    ]) {
      expect(text.split('\n'), line).to.include(line);
    }
  });

  it('serves no runner series when the runner does not answer', async () => {
    const registry = new Registry();
    registerRunnerHealthMetrics(registry, () => Promise.resolve(undefined));
    const text = await registry.metrics();
    expect(text).not.to.match(/^vkcmd_runner_\w+(\{[^}]*\})? /m);
  });

  it('asks again on a later scrape', async () => {
    const registry = new Registry();
    let now = 0;
    let calls = 0;
    registerRunnerHealthMetrics(
      registry,
      () => {
        calls++;
        return Promise.resolve(health());
      },
      () => now,
    );
    await registry.metrics();
    now = 5000;
    await registry.metrics();
    expect(calls).to.equal(2);
  });
});
