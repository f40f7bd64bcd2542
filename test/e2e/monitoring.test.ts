import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadYaml } from '@kubernetes/client-node';
import { runCommand } from './support/commands.js';
import {
  createNamespace,
  deleteNode,
  isRunning,
  kubectl,
  mustKubectl,
  startVkNode,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { kubeletGet } from './support/https-get.js';
import { scriptPod } from './support/manifests.js';
import { REPO_ROOT } from './support/paths.js';
import { PROMTOOL, PrometheusServer, type PromSeries } from './support/prometheus.js';
import { eventually } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

const MONITORING_DIR = path.join(REPO_ROOT, 'deploy', 'monitoring');
const PATHS = ['/metrics', '/metrics/cadvisor', '/metrics/probes', '/metrics/resource'];

interface ScrapeConfig {
  job_name: string;
  kubernetes_sd_configs: Array<Record<string, unknown>>;
  authorization: { credentials_file: string };
  tls_config: Record<string, unknown>;
  relabel_configs: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** The groups of deploy/monitoring/prometheusrule.yaml: what Prometheus takes as a rules file. */
function rulesFile(): string {
  const rule = loadYaml<{ spec: { groups: unknown[] } }>(
    readFileSync(path.join(MONITORING_DIR, 'prometheusrule.yaml'), 'utf8'),
  );
  return JSON.stringify({ groups: rule.spec.groups }, null, 2);
}

/**
 * deploy/monitoring/prometheus-scrape-config.yaml as shipped, pointed at the
 * test cluster (Prometheus runs outside it) and at this test's node only.
 */
function scrapeConfigs(tokenFile: string, nodeName: string): ScrapeConfig[] {
  const shipped = loadYaml<{ scrape_configs: ScrapeConfig[] }>(
    readFileSync(path.join(MONITORING_DIR, 'prometheus-scrape-config.yaml'), 'utf8'),
  );
  const env = testCluster().env;
  return shipped.scrape_configs.map((job) => ({
    ...job,
    scrape_interval: '1s',
    authorization: { credentials_file: tokenFile },
    kubernetes_sd_configs: job.kubernetes_sd_configs.map((sd) => ({
      ...sd,
      api_server: env['APISERVER_URL'],
      tls_config: { ca_file: env['CA_CERT'] },
      authorization: { credentials_file: tokenFile },
    })),
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_node_name'], regex: nodeName, action: 'keep' },
      ...job.relabel_configs,
    ],
  }));
}

const byPath = (series: PromSeries[]): Record<string, string> =>
  Object.fromEntries(series.map((s) => [s.metric['metrics_path'] ?? '', s.value[1]]));

describe('monitoring: a real Prometheus scrapes a vk-cmd node as a kubelet', function () {
  this.timeout(240_000);
  let node: VkNode | undefined;
  let prometheus: PrometheusServer | undefined;
  let namespace = '';
  let token = '';

  before(async () => {
    // A short grace so that the NotReady alert becomes active within the test.
    node = await startVkNode('vk-monitoring', { kubeletArgs: ['--runner-unreachable-grace', '5'] });
    namespace = await createNamespace('monitoring');
    await mustKubectl(['create', 'serviceaccount', '-n', namespace, 'prometheus']);
    await mustKubectl(['apply', '-f', path.join(MONITORING_DIR, 'clusterrole.yaml')]);
    await mustKubectl([
      'create',
      'clusterrolebinding',
      `${namespace}-prometheus`,
      '--clusterrole=vk-cmd-metrics-reader',
      `--serviceaccount=${namespace}:prometheus`,
    ]);
    token = (await mustKubectl(['create', 'token', '-n', namespace, 'prometheus', '--duration=1h'])).trim();
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'busy', nodeName: node.nodeName, script: 'while :; do :; done\n' }),
    );
    await waitForPod(namespace, 'busy', isRunning('c1'), 60_000, 'running');
  });

  after(async () => {
    await prometheus?.stop();
    if (node) await deleteNode(node);
    await kubectl(['delete', 'clusterrolebinding', `${namespace}-prometheus`, '--ignore-not-found']);
    if (namespace) await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('serves all four metrics paths to a token bound to vk-cmd-metrics-reader, each clean for promtool check metrics', async () => {
    for (const metricsPath of PATHS) {
      const res = await kubeletGet(node!.kubeletPort, metricsPath, { token });
      expect(res.status, `${metricsPath}: ${res.body}`).to.equal(200);
      const lint = await runCommand(PROMTOOL, ['check', 'metrics'], { input: res.body });
      expect(lint.code, `promtool check metrics ${metricsPath}:\n${lint.stdout}${lint.stderr}`).to.equal(0);
      expect(lint.stdout + lint.stderr, metricsPath).to.equal('');
    }
    // The running-pods gauge is set a 200 ms debounce after the runner's
    // events, so a scrape just after the pod shows Running may still read 0.
    let metrics = '';
    await eventually(
      async () => {
        metrics = (await kubeletGet(node!.kubeletPort, '/metrics', { token })).body;
        return /^kubelet_running_pods 1$/m.test(metrics);
      },
      5_000,
      'kubelet_running_pods 1 on /metrics',
    ).catch((err: Error) => {
      const kubeletLines = metrics.split('\n').filter((l) => l.startsWith('kubelet_'));
      throw new Error(`${err.message}:\n${kubeletLines.join('\n')}`, { cause: err });
    });
    expect(metrics).to.contain(`kubelet_node_name{node="${node!.nodeName}"} 1`);
    expect(metrics).to.match(/^process_resident_memory_bytes \d+/m);
    // The runner's health (GetRunnerHealth), served by the kubelet.
    expect(metrics).to.match(/^vkcmd_runner_resident_memory_bytes \d+/m);
    expect(metrics).to.match(/^vkcmd_runner_pods 1$/m);
    expect(metrics).to.match(/^vkcmd_runner_event_loop_delay_seconds_count \d+/m);
    const cadvisor = (await kubeletGet(node!.kubeletPort, '/metrics/cadvisor', { token })).body;
    expect(cadvisor).to.match(
      new RegExp(
        `^container_cpu_usage_seconds_total\\{container="c1",cpu="total",id="[^"]+",image="[^"]*",name="vk-cmd://${namespace}_busy_c1_\\d+",namespace="${namespace}",pod="busy"\\} `,
        'm',
      ),
    );
  });

  it('ships rules that promtool accepts', async () => {
    const dir = new PrometheusServer();
    try {
      const file = dir.writeFile('rules.yaml', rulesFile());
      const check = await runCommand(PROMTOOL, ['check', 'rules', file]);
      expect(check.code, check.stdout + check.stderr).to.equal(0);
      expect(check.stdout).to.match(/SUCCESS: \d+ rules found/);
    } finally {
      await dir.stop();
    }
  });

  it('scrapes /metrics, /metrics/cadvisor, /metrics/probes and /metrics/resource (up == 1) and evaluates the rules', async () => {
    prometheus = new PrometheusServer();
    const tokenFile = prometheus.writeFile('token', token);
    const rules = prometheus.writeFile('vk-cmd-rules.yaml', rulesFile());
    await prometheus.start({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [rules],
      scrape_configs: scrapeConfigs(tokenFile, node!.nodeName),
    });
    const check = await runCommand(PROMTOOL, ['check', 'config', prometheus.configPath]);
    expect(check.code, check.stdout + check.stderr).to.equal(0);

    let up: PromSeries[] = [];
    await eventually(
      async () => {
        up = await prometheus!.query('up{job="kubelet"}');
        return up.length === 4 && up.every((s) => s.value[1] === '1');
      },
      60_000,
      'up == 1 for the four paths',
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(up)}\n${prometheus!.logTail()}`, { cause: err });
    });
    expect(byPath(up)).to.deep.equal({
      '/metrics': '1',
      '/metrics/cadvisor': '1',
      '/metrics/probes': '1',
      '/metrics/resource': '1',
    });
    expect(up.every((s) => s.metric['node'] === node!.nodeName)).to.equal(true);

    // Queries written for a kubelet answer.
    for (const q of [
      'kubelet_running_pods{job="kubelet"}',
      'kubelet_node_name{job="kubelet"}',
      'process_resident_memory_bytes{job="kubelet"}',
      `container_memory_working_set_bytes{metrics_path="/metrics/cadvisor", namespace="${namespace}", pod="busy", container="c1"}`,
    ]) {
      expect(await prometheus.query(q), q).to.have.length.above(0);
    }

    await eventually(
      async () => {
        const all = await prometheus!.rules();
        return all.length > 0 && all.every((r) => r.health === 'ok');
      },
      30_000,
      'every rule evaluated without error',
      500,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await prometheus!.rules())}`, { cause: err });
    });
    await eventually(
      async () => {
        const phases = await prometheus!.query('vkcmd:pods:sum_by_phase{phase="Running"}');
        return Number(phases[0]?.value[1] ?? 0) >= 1;
      },
      30_000,
      'the recording rule vkcmd:pods:sum_by_phase counts the running pod',
      500,
    );
    const alerts = await prometheus.alerts();
    expect(
      alerts.map((a) => a.labels['alertname']),
      'nothing is wrong yet',
    ).to.deep.equal([]);
  });

  it('makes VkCmdRunnerUnreachable and VkCmdNodeNotReady active when the runner stops', async () => {
    await node!.killRunner('SIGTERM');
    const active = new Set<string>();
    await eventually(
      async () => {
        for (const a of await prometheus!.alerts()) {
          if (a.labels['node'] === node!.nodeName) active.add(a.labels['alertname'] ?? '');
        }
        return active.has('VkCmdRunnerUnreachable') && active.has('VkCmdNodeNotReady');
      },
      60_000,
      'VkCmdRunnerUnreachable and VkCmdNodeNotReady pending or firing',
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; active: ${[...active].join(', ')}`, { cause: err });
    });
  });
});
