import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { mustRun, runCommand } from './support/commands.js';
import { kubectl, mustKubectl } from './support/e2e-env.js';
import { REPO_ROOT, TOOLS_BIN } from './support/paths.js';

const HELM = path.join(TOOLS_BIN, 'helm');
const CHART = path.join(REPO_ROOT, 'deploy', 'helm', 'vk-cmd');
const MONITORING_DIR = path.join(REPO_ROOT, 'deploy', 'monitoring');
/** Labels the chart adds to what deploy/ has: Helm's own bookkeeping. */
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/instance'];
const DRY_RUN_NAMESPACE = 'vk-cmd-helm-e2e';

type Obj = KubernetesObject & Record<string, unknown>;

async function helmTemplate(sets: string[] = []): Promise<Obj[]> {
  const args = ['template', 'vk-cmd', CHART, ...sets.flatMap((s) => ['--set', s])];
  return (loadAllYaml(await mustRun(HELM, args)) as Obj[]).filter(Boolean);
}

async function kustomize(dir: string): Promise<Obj[]> {
  return loadAllYaml(await mustKubectl(['kustomize', path.join(REPO_ROOT, 'deploy', dir)])) as Obj[];
}

/** The object without Helm's labels (and without an emptied labels map). */
function withoutHelmLabels(o: Obj): Obj {
  const copy = structuredClone(o);
  const labels = copy.metadata?.labels;
  if (labels) {
    for (const l of HELM_LABELS) delete labels[l];
    if (Object.keys(labels).length === 0) delete copy.metadata!.labels;
  }
  return copy;
}

const key = (o: Obj): string => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
const byKey = (objects: Obj[]): Map<string, Obj> =>
  new Map(objects.map((o) => [key(o), withoutHelmLabels(o)]));

/** The chart renders exactly `expected`, object by object, once Helm's labels are set aside. */
function expectSameObjects(rendered: Obj[], expected: Obj[]): void {
  const got = byKey(rendered);
  const want = byKey(expected);
  expect([...got.keys()].sort()).to.deep.equal([...want.keys()].sort());
  for (const [k, o] of want) expect(got.get(k), k).to.deep.equal(o);
  for (const o of rendered) {
    expect(o.metadata?.labels?.['app.kubernetes.io/managed-by'], key(o)).to.equal('Helm');
  }
}

function monitoringObject(file: string): Obj {
  return loadAllYaml(readFileSync(path.join(MONITORING_DIR, file), 'utf8'))[0] as Obj;
}

describe('deploy/helm/vk-cmd: the Helm chart', function () {
  this.timeout(180_000);

  after(async () => {
    await kubectl(['delete', 'namespace', DRY_RUN_NAMESPACE, '--ignore-not-found', '--wait=false']);
  });

  it('passes helm lint, with its defaults and with every option on', async () => {
    for (const sets of [
      [],
      [
        'metricsServer.enabled=true',
        'monitoring.metricsReaderRole.enabled=true',
        'monitoring.serviceMonitor.enabled=true',
        'monitoring.prometheusRule.enabled=true',
        'node.deleteNodeOnExit=true',
        'useServingCert=true',
      ],
    ]) {
      const lint = await runCommand(HELM, ['lint', '--strict', CHART, ...sets.flatMap((s) => ['--set', s])]);
      expect(lint.code, `${lint.stdout}${lint.stderr}`).to.equal(0);
      expect(lint.stdout).to.contain('0 chart(s) failed');
    }
  });

  it('renders the objects of deploy/base with its defaults', async () => {
    expectSameObjects(await helmTemplate(), await kustomize('base'));
  });

  it('renders deploy/overlays/metrics-server with metricsServer.enabled', async () => {
    expectSameObjects(await helmTemplate(['metricsServer.enabled=true']), [
      ...(await kustomize('base')),
      ...(await kustomize('overlays/metrics-server')),
    ]);
  });

  it('renders the objects of deploy/monitoring with monitoring.*.enabled', async () => {
    const rendered = await helmTemplate([
      'monitoring.metricsReaderRole.enabled=true',
      'monitoring.serviceMonitor.enabled=true',
      'monitoring.prometheusRule.enabled=true',
    ]);
    const find = (kind: string): Obj | undefined =>
      rendered.map(withoutHelmLabels).find((o) => o.kind === kind && o.metadata?.name?.startsWith('vk-cmd'));
    expect(find('ServiceMonitor')).to.deep.equal(monitoringObject('servicemonitor.yaml'));
    expect(find('PrometheusRule')).to.deep.equal(monitoringObject('prometheusrule.yaml'));
    const reader = rendered.find(
      (o) => o.kind === 'ClusterRole' && o.metadata?.name === 'vk-cmd-metrics-reader',
    );
    expect(withoutHelmLabels(reader!)).to.deep.equal(monitoringObject('clusterrole.yaml'));
  });

  it('helm template | kubectl apply --dry-run=server is accepted by the API server', async () => {
    // Namespaced objects need their namespace to exist for a server-side dry run.
    await kubectl(['create', 'namespace', DRY_RUN_NAMESPACE]);
    const manifest = await mustRun(HELM, [
      'template',
      'vk-cmd',
      CHART,
      '--set',
      `namespace=${DRY_RUN_NAMESPACE}`,
      '--set',
      'metricsServer.enabled=true',
      '--set',
      'monitoring.metricsReaderRole.enabled=true',
      '--set',
      'node.name=hpc1',
    ]);
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], manifest);
    expect(result.code, result.stderr).to.equal(0);
    const objects = (loadAllYaml(manifest) as Obj[]).filter(Boolean);
    for (const o of objects) {
      expect(result.stdout, key(o)).to.match(
        new RegExp(
          `${o.kind!.toLowerCase()}[.a-z0-9/]*/${o.metadata!.name} (created|configured|unchanged) \\(server dry run\\)`,
          'i',
        ),
      );
    }
  });
});
