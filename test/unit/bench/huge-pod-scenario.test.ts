import { expect } from 'chai';
import { countRunning, hugePod, type ContainerCount } from '../../../bench/scenarios/huge-pod-scenario.js';
import type { WatchPodsEvent__Output } from '../../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';

/** A runner event for pod ns/name with one container status per state given. */
function event(name: string, states: string[], type = 'WATCH_EVENT_TYPE_MODIFIED'): WatchPodsEvent__Output {
  return {
    type,
    pod: { namespace: 'ns', name, containerStatuses: states.map((state) => ({ state: { state } })) },
  } as unknown as WatchPodsEvent__Output;
}

describe('bench hugepod scenario', () => {
  it('builds one pod with N uniquely named containers, all sleeping, bound to the node', () => {
    const pod = hugePod('node-a', 1000, false) as {
      metadata: { name: string; labels: Record<string, string> };
      spec: { nodeName: string; containers: Array<{ name: string; command: string[] }> };
    };
    expect(pod.spec.containers).to.have.length(1000);
    expect(new Set(pod.spec.containers.map((c) => c.name)).size).to.equal(1000);
    expect(pod.spec.containers[999]!.name).to.equal('c0999');
    expect(pod.spec.containers.every((c) => c.command.join(' ') === 'sleep 3600')).to.equal(true);
    expect(pod.spec.nodeName).to.equal('node-a');
    expect(pod.metadata.labels['vk-cmd.io/bench-scenario']).to.equal('hugepod');
  });

  it('counts the containers that have run, first and all, and ignores other pods and deletions', () => {
    const target = { namespace: 'ns', name: 'huge-pod', total: 3 };
    const count: ContainerCount = { running: 0 };
    expect(countRunning(count, event('other', ['running', 'running', 'running']), target, 1)).to.equal(false);
    expect(count.running).to.equal(0);
    countRunning(count, event('huge-pod', ['waiting', 'waiting', 'waiting']), target, 2);
    expect(count).to.deep.equal({ running: 0 });
    countRunning(count, event('huge-pod', ['running', 'waiting', 'waiting']), target, 3);
    expect(count).to.deep.equal({ running: 1, firstRunningMs: 3 });
    // A container that already ended has run: it counts towards "all".
    countRunning(count, event('huge-pod', ['terminated', 'running', 'running']), target, 4);
    expect(count).to.deep.equal({ running: 3, firstRunningMs: 3, allRunningMs: 4 });
    expect(countRunning(count, event('huge-pod', [], 'WATCH_EVENT_TYPE_DELETED'), target, 5)).to.equal(false);
    expect(count.running).to.equal(3);
  });
});
