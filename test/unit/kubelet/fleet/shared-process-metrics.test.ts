import { expect } from 'chai';
import { Gauge, Registry } from 'prom-client';
import { SharedProcessMetrics } from '../../../../src/kubelet/fleet/shared-process-metrics.js';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';

/** A process registry whose one gauge counts how often it is collected. */
function countingRegistry(): { registry: Registry; collections: () => number } {
  const registry = new Registry();
  let collections = 0;
  new Gauge({
    name: 'process_test_collections',
    help: 'How often the process metrics were collected.',
    registers: [registry],
    collect() {
      collections++;
      this.set(collections);
    },
  });
  return { registry, collections: () => collections };
}

describe('SharedProcessMetrics', () => {
  it("a fleet's 200 nodes scraped together collect the process metrics once", async () => {
    const { registry, collections } = countingRegistry();
    const shared = new SharedProcessMetrics(registry);
    const nodes = Array.from(
      { length: 200 },
      (_, i) => new KubeletMetrics({ nodeName: `n${i}`, processMetrics: shared }),
    );
    const texts = await Promise.all(nodes.map((m) => m.exposition()));
    await Promise.all(nodes.map((m) => m.exposition()));
    expect(collections()).to.equal(1);
    expect(texts[7]!.text).to.contain('process_test_collections 1');
    expect(texts[7]!.text).to.contain('kubelet_node_name{node="n7"} 1');
  });

  it('collects again once the text is older than its maximum age', async () => {
    const { registry, collections } = countingRegistry();
    let nowMs = 1_000;
    const shared = new SharedProcessMetrics(registry, 5_000, () => nowMs);
    await shared.text();
    nowMs += 4_999;
    await shared.text();
    expect(collections()).to.equal(1);
    nowMs += 1;
    expect(await shared.text()).to.contain('process_test_collections 2');
  });

  it('does not keep a failed collection', async () => {
    const registry = new Registry();
    let fail = true;
    new Gauge({
      name: 'process_test_flaky',
      help: 'Fails once.',
      registers: [registry],
      collect() {
        if (fail) {
          fail = false;
          throw new Error('collect failed');
        }
        this.set(1);
      },
    });
    const shared = new SharedProcessMetrics(registry, 60_000, () => 0);
    await shared.text().then(
      () => expect.fail('the first collection should fail'),
      () => undefined,
    );
    expect(await shared.text()).to.contain('process_test_flaky 1');
  });

  it("serves the same text as one registry merged from the process's and the node's", async () => {
    const { registry } = countingRegistry();
    const node = new KubeletMetrics({ nodeName: 'n', processMetrics: new SharedProcessMetrics(registry) });
    const served = (await node.exposition()).text;
    const merged = await Registry.merge([registry, node.registry]).metrics();
    const withoutCount = (t: string): string => t.replace(/process_test_collections \d+/, '');
    expect(withoutCount(served)).to.equal(withoutCount(merged));
  });
});
