import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadYaml } from '@kubernetes/client-node';
import { renderCadvisorMetrics } from '../../../src/kubelet/api/cadvisor-metrics.js';
import { renderResourceMetrics } from '../../../src/kubelet/api/resource-metrics.js';
import { KubeletMetrics } from '../../../src/kubelet/kubelet-metrics.js';
import { registerRunnerHealthMetrics } from '../../../src/kubelet/runner-health-metrics.js';
import { samplePods, sampleStats } from '../../fixtures/kubelet-api/stats-fixture.js';
import { metricNames } from './promql-names.js';

const MONITORING_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../deploy/monitoring',
);

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
}
interface PrometheusRuleShape {
  kind: string;
  spec: { groups: Array<{ name: string; rules: Rule[] }> };
}
interface DashboardShape {
  uid: string;
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
}

function typeLines(text: string): Array<[string, string]> {
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]);
}

/** Every series name the kubelet serves on /metrics, /metrics/cadvisor and /metrics/resource. */
async function servedNames(): Promise<Set<string>> {
  const names = new Set<string>(['up']); // Prometheus adds it to every target
  const metrics = new KubeletMetrics({ nodeName: 'vk' });
  registerRunnerHealthMetrics(metrics.registry, () => Promise.resolve(undefined));
  const exposition = [
    await metrics.registry.metrics(),
    renderCadvisorMetrics(sampleStats(), samplePods(), 0),
    renderResourceMetrics(sampleStats(), samplePods(), 0),
  ].join('\n');
  for (const [name, type] of typeLines(exposition)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

const rules = loadYaml<PrometheusRuleShape>(
  readFileSync(path.join(MONITORING_DIR, 'prometheusrule.yaml'), 'utf8'),
);
const allRules = rules.spec.groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(
  readFileSync(path.join(MONITORING_DIR, 'grafana-dashboard.json'), 'utf8'),
) as DashboardShape;

describe('metricNames', () => {
  const cases: Array<[string, string[]]> = [
    ['up{job="kubelet"} == 0', ['up']],
    [
      'histogram_quantile(0.99, sum by (le) (rate(a_bucket{x="y"}[5m]))) * on (instance, job) group_left (node) b',
      ['a_bucket', 'b'],
    ],
    ['(x < 600) and on (i) y > 1e+09', ['x', 'y']],
    ['sum(rate(c[$__rate_interval])) / count(d{node=~"$node"}) unless e offset 5m', ['c', 'd', 'e']],
  ];
  for (const [expr, expected] of cases) {
    it(expr, () => expect(metricNames(expr)).to.deep.equal(expected));
  }
});

describe('deploy/monitoring', () => {
  let served: Set<string>;
  before(async () => {
    served = await servedNames();
    for (const r of allRules) if (r.record) served.add(r.record);
  });

  it('ships the alerts operators asked for', () => {
    expect(rules.kind).to.equal('PrometheusRule');
    expect(allRules.filter((r) => r.alert).map((r) => r.alert)).to.have.members([
      'VkCmdNodeNotReady',
      'VkCmdRunnerUnreachable',
      'VkCmdWalltimeEndingSoon',
      'VkCmdPodStatusWritesFailing',
    ]);
    const walltime = allRules.find((r) => r.alert === 'VkCmdWalltimeEndingSoon');
    expect(walltime?.expr).to.contain('vkcmd_kubelet_walltime_remaining_seconds < 600');
  });

  it('every rule reads only series the kubelet serves', () => {
    for (const rule of allRules) {
      const names = metricNames(rule.expr);
      expect(names, rule.alert ?? rule.record).to.not.be.empty;
      for (const name of names)
        expect(served.has(name), `${rule.alert ?? rule.record}: ${name}`).to.equal(true);
    }
  });

  it('the dashboard parses, covers what it promises and every panel reads only series the kubelet serves', () => {
    expect(dashboard.uid).to.equal('vk-cmd-nodes');
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of [
      'nodes',
      'walltime',
      'pods by phase',
      'status latency',
      'runner link',
      'cpu per pod',
      'memory per pod',
    ]) {
      expect(titles, topic).to.contain(topic);
    }
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => [p.title, t.expr] as const)),
      ...dashboard.templating.list.flatMap((v) =>
        v.type === 'query' ? [[v.name, (v.query as { query: string }).query] as const] : [],
      ),
    ];
    for (const [where, expr] of exprs) {
      const names = metricNames(expr.replace(/^query_result\((.*)\)$/, '$1'));
      expect(names, where).to.not.be.empty;
      for (const name of names) expect(served.has(name), `${where}: ${name}`).to.equal(true);
    }
  });
});

describe('deploy/helm/vk-cmd', () => {
  it("carries deploy/monitoring's PrometheusRule unchanged", () => {
    const chartCopy = path.join(MONITORING_DIR, '..', 'helm', 'vk-cmd', 'files', 'prometheusrule.yaml');
    expect(readFileSync(chartCopy, 'utf8')).to.equal(
      readFileSync(path.join(MONITORING_DIR, 'prometheusrule.yaml'), 'utf8'),
    );
  });
});
