import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  dumpYaml,
  loadAllYaml,
  loadYaml,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import {
  containerState,
  createNamespace,
  deleteNode,
  hasPhase,
  kc,
  kubectl,
  mustKubectl,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { mustRun } from './support/commands.js';
import { kubeletGet } from './support/https-get.js';
import { wikiExample } from './support/manifests.js';
import { REPO_ROOT, TOOLS_BIN } from './support/paths.js';
import { VkNode } from './support/vk-node.js';

const BASE_DIR = path.join(REPO_ROOT, 'deploy', 'base');
const METRICS_OVERLAY_DIR = path.join(REPO_ROOT, 'deploy', 'overlays', 'metrics-server');
const SERVICE_ACCOUNT = 'system:serviceaccount:vk-cmd:vk-cmd-kubelet';
const RBAC_KINDS = new Set([
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
]);

interface KubeconfigShape {
  clusters: Array<{ cluster: { server: string; 'certificate-authority': string } }>;
  users: Array<{ user: { tokenFile: string } }>;
}

/** What each kustomization renders, as "Kind/name". */
const BASE_KINDS = [
  'ClusterRole/vk-cmd-kubelet',
  'ClusterRoleBinding/vk-cmd-kubelet',
  'ConfigMap/vk-cmd-kubelet-env',
  'ConfigMap/vk-cmd-kubelet-kubeconfig',
  'Deployment/vk-cmd-kubelet',
  'Namespace/vk-cmd',
  'Role/vk-cmd-kubelet-lease',
  'RoleBinding/vk-cmd-kubelet-lease',
  'Service/vk-cmd-kubelet',
  'ServiceAccount/vk-cmd-kubelet',
];
const METRICS_SERVER_KINDS = [
  'APIService/v1beta1.metrics.k8s.io',
  'ClusterRole/system:aggregated-metrics-reader',
  'ClusterRole/system:metrics-server',
  'ClusterRoleBinding/metrics-server:system:auth-delegator',
  'ClusterRoleBinding/system:metrics-server',
  'Deployment/metrics-server',
  'RoleBinding/metrics-server-auth-reader',
  'Service/metrics-server',
  'ServiceAccount/metrics-server',
];

/** `kubectl kustomize dir`, parsed, after checking it renders exactly `kinds` ("Kind/name"). */
async function renderExactly(dir: string, kinds: string[]): Promise<KubernetesObject[]> {
  const objects = loadAllYaml(await mustKubectl(['kustomize', dir])) as KubernetesObject[];
  expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).to.deep.equal([...kinds].sort());
  return objects;
}

function toYaml(objects: KubernetesObject[]): string {
  return objects.map((o) => dumpYaml(o)).join('---\n');
}

interface ContainerShape {
  name: string;
  image: string;
  args: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  startupProbe?: ProbeShape;
  livenessProbe?: ProbeShape;
  readinessProbe?: ProbeShape;
}
interface ProbeShape {
  httpGet?: { path: string; port: string | number; scheme?: string };
}
interface DeploymentShape extends KubernetesObject {
  spec: { template: { spec: { containers: ContainerShape[] } } };
}

/** `kubectl apply --dry-run=server -k dir` succeeds for every one of `kinds` ("Kind/name"). */
async function expectServerDryRun(dir: string, kinds: string[]): Promise<void> {
  const result = await kubectl(['apply', '--dry-run=server', '-k', dir]);
  expect(result.code, result.stderr).to.equal(0);
  for (const kind of kinds) {
    const [k, name] = kind.split('/');
    expect(result.stdout.toLowerCase()).to.match(
      new RegExp(
        `${k!.toLowerCase()}[.a-z0-9/]*/${name} (created|configured|unchanged) \\(server dry run\\)`,
      ),
    );
  }
}

/** The value that follows `flag` in an argv, or undefined. */
function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function deploymentContainer(objects: KubernetesObject[], name: string): ContainerShape {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === name) as
    DeploymentShape | undefined;
  expect(deployment, `Deployment ${name}`).to.not.equal(undefined);
  return deployment!.spec.template.spec.containers[0]!;
}

describe('deploy/: kustomize manifests', function () {
  this.timeout(300_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-deploy-'));
  let node: VkNode | undefined;
  let rbacYaml = '';

  after(async () => {
    if (node) await deleteNode(node);
    if (rbacYaml) await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], rbacYaml);
    await kubectl(
      ['delete', 'namespace', 'vk-cmd', '--ignore-not-found', '--timeout=120s'],
      undefined,
      150_000,
    );
    rmSync(workDir, { recursive: true, force: true });
  });

  it('renders, and every object of deploy/base passes a server-side dry run', async () => {
    const objects = await renderExactly(BASE_DIR, BASE_KINDS);
    const lease = objects.find((o) => o.kind === 'Role');
    expect(lease?.metadata?.namespace, 'the lease Role stays in kube-node-lease').to.equal('kube-node-lease');

    // A server-side dry run of the namespaced objects needs their namespace
    // to exist (and not be on its way out from an earlier run); the Namespace
    // object itself is still only dry-run applied.
    await kubectl(['wait', '--for=delete', 'namespace/vk-cmd', '--timeout=120s'], undefined, 150_000);
    await kubectl(['create', 'namespace', 'vk-cmd']);
    await expectServerDryRun(BASE_DIR, BASE_KINDS);
  });

  it('probes the kubelet on its plain-HTTP health port, bound where the node can reach it', async () => {
    const kubelet = deploymentContainer(await renderExactly(BASE_DIR, BASE_KINDS), 'vk-cmd-kubelet');
    // Probes come from the node's kubelet to the pod IP: loopback would not do.
    expect(flagValue(kubelet.args, '--healthz-bind-address')).to.equal('0.0.0.0');
    const healthzPort = kubelet.ports?.find((p) => p.name === 'healthz')?.containerPort;
    expect(String(healthzPort)).to.equal(flagValue(kubelet.args, '--healthz-port'));
    for (const [probe, probePath] of [
      ['startupProbe', '/healthz'],
      ['livenessProbe', '/healthz'],
      ['readinessProbe', '/readyz'],
    ] as const) {
      // Plain HTTP: the HTTPS port asks every caller for credentials, probes have none.
      expect(kubelet[probe]?.httpGet, probe).to.deep.equal({ path: probePath, port: 'healthz' });
    }
  });

  it('builds the image on the Node.js release the runner tarball ships', () => {
    const pinned = /^PINNED_NODE_VERSION=(\S+)$/m.exec(
      readFileSync(path.join(REPO_ROOT, 'scripts', 'dist.sh'), 'utf8'),
    )?.[1];
    const image = /^ARG NODE_VERSION=(\S+)$/m.exec(
      readFileSync(path.join(REPO_ROOT, 'deploy', 'image', 'Containerfile'), 'utf8'),
    )?.[1];
    expect(pinned).to.match(/^22\./);
    expect(image).to.equal(pinned);
  });

  it('renders the metrics-server overlay offline, with flags metrics-server really has, and dry-runs it', async () => {
    const overlay = loadYaml<{ resources: string[]; components: string[] }>(
      readFileSync(path.join(METRICS_OVERLAY_DIR, 'kustomization.yaml'), 'utf8'),
    );
    expect(overlay.components).to.deep.equal(['vk-cmd-args', 'insecure-tls']);
    for (const resource of overlay.resources) {
      expect(resource, 'nothing is fetched').to.not.match(/:\/\/|^github\.com\//);
    }

    const objects = await renderExactly(METRICS_OVERLAY_DIR, METRICS_SERVER_KINDS);
    const container = deploymentContainer(objects, 'metrics-server');
    expect(container.image).to.equal('registry.k8s.io/metrics-server/metrics-server:v0.7.2');
    const args = container.args;
    expect(args.slice(0, 5), 'the release args are kept').to.deep.equal([
      '--cert-dir=/tmp',
      '--secure-port=10250',
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      '--kubelet-use-node-status-port',
      '--metric-resolution=15s',
    ]);
    const preferred = args.filter((a) => a.startsWith('--kubelet-preferred-address-types='));
    expect(preferred.at(-1), 'the last occurrence wins').to.equal(
      '--kubelet-preferred-address-types=InternalIP,Hostname,ExternalIP',
    );
    expect(args).to.include('--kubelet-use-node-status-port');
    expect(args).to.include('--kubelet-insecure-tls');

    const help = await mustRun(path.join(TOOLS_BIN, 'metrics-server'), ['--help']).catch(
      (err: Error) => err.message,
    );
    for (const flag of new Set(args.map((a) => a.split('=')[0]!))) {
      expect(help, `metrics-server --help lists ${flag}`).to.contain(flag);
    }

    await expectServerDryRun(METRICS_OVERLAY_DIR, METRICS_SERVER_KINDS);
  });

  it("runs the wiki example with only the base's RBAC, through the base's kubeconfig", async () => {
    const objects = await renderExactly(BASE_DIR, BASE_KINDS);
    rbacYaml = toYaml(objects.filter((o) => RBAC_KINDS.has(o.kind ?? '')));
    await mustKubectl(['apply', '-f', '-'], rbacYaml);

    // Least privilege: what a kubelet does not do is refused.
    for (const [verb, resource, allowed] of [
      ['create', 'nodes', 'yes'],
      ['patch', 'nodes/status', 'yes'],
      ['delete', 'pods', 'yes'],
      ['create', 'pods', 'no'],
      ['update', 'pods', 'no'],
      ['delete', 'nodes', 'no'],
      ['list', 'nodes', 'no'],
      ['create', 'secrets', 'no'],
      ['delete', 'configmaps', 'no'],
      ['create', 'serviceaccounts/token', 'no'],
    ] as const) {
      const answer = await kubectl(['auth', 'can-i', verb, resource, '--as', SERVICE_ACCOUNT]);
      expect(answer.stdout.trim(), `can ${SERVICE_ACCOUNT} ${verb} ${resource}`).to.equal(allowed);
    }
    const leases = await kubectl([
      'auth',
      'can-i',
      'update',
      'leases.coordination.k8s.io',
      '-n',
      'kube-node-lease',
      '--as',
      SERVICE_ACCOUNT,
    ]);
    expect(leases.stdout.trim()).to.equal('yes');
    const otherLeases = await kubectl([
      'auth',
      'can-i',
      'update',
      'leases.coordination.k8s.io',
      '-n',
      'default',
      '--as',
      SERVICE_ACCOUNT,
    ]);
    expect(otherLeases.stdout.trim()).to.equal('no');

    // The base's own kubeconfig, pointed at this cluster and a minted token
    // instead of the paths Kubernetes mounts into the pod.
    const token = (
      await mustKubectl(['create', 'token', '-n', 'vk-cmd', 'vk-cmd-kubelet', '--duration=1h'])
    ).trim();
    const tokenFile = path.join(workDir, 'token');
    writeFileSync(tokenFile, token);
    chmodSync(tokenFile, 0o600);
    const configMap = objects.find((o) => o.metadata?.name === 'vk-cmd-kubelet-kubeconfig') as V1ConfigMap;
    const kubeconfig = loadYaml<KubeconfigShape>(configMap.data!['kubeconfig']!);
    kubeconfig.clusters[0]!.cluster.server = testCluster().env['APISERVER_URL']!;
    kubeconfig.clusters[0]!.cluster['certificate-authority'] = testCluster().env['CA_CERT']!;
    kubeconfig.users[0]!.user.tokenFile = tokenFile;
    const kubeconfigPath = path.join(workDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, dumpYaml(kubeconfig));
    // kubectl (client-go) must read the base's kubeconfig as the kubelet does.
    const whoami = await mustRun(path.join(TOOLS_BIN, 'kubectl'), [
      '--kubeconfig',
      kubeconfigPath,
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
    expect(whoami).to.equal(SERVICE_ACCOUNT);

    const nodeName = 'vk-deploy-rbac';
    node = new VkNode({
      nodeName,
      kubeconfigPath,
      kc: kc(),
      kubeletEnv: { JIRIAF_WALLTIME: '3600' },
      kubeletArgs: ['--node-labels', `e2e.vk-cmd.io/node=${nodeName}`],
    });
    try {
      await node.start();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${node.logTail()}`, { cause: err });
    }

    const namespace = await createNamespace('deploy');
    const { yaml } = wikiExample({ nodeName, args: ['2', '1'], restartPolicy: 'Never' });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], yaml);
    const done = await waitForPod(namespace, 'p1', hasPhase('Succeeded'), 90_000, 'Succeeded').catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${node!.logTail()}`, { cause: err });
      },
    );
    expect(done.spec?.nodeName).to.equal(nodeName);
    expect(containerState(done, 'c1')?.state?.terminated?.reason).to.equal('Completed');

    // kubectl logs: the API server's client certificate, then a
    // SubjectAccessReview made with the kubelet's ServiceAccount.
    const logs = await mustKubectl(['logs', '-n', namespace, 'p1', '-c', 'c1']);
    expect(logs).to.contain('stressing 1 cpu(s) for 2 s');
    expect(logs).to.contain('done');

    // A bearer token on the kubelet API: a TokenReview, also with the
    // kubelet's ServiceAccount.
    await mustKubectl(['create', 'serviceaccount', '-n', namespace, 'scraper']);
    await mustKubectl([
      'create',
      'clusterrolebinding',
      `${namespace}-scraper`,
      '--clusterrole=system:metrics-server',
      `--serviceaccount=${namespace}:scraper`,
    ]);
    try {
      const scraperToken = (await mustKubectl(['create', 'token', '-n', namespace, 'scraper'])).trim();
      const scraped = await kubeletGet(node.kubeletPort, '/metrics/resource', { token: scraperToken });
      expect(scraped.status, scraped.body).to.equal(200);
    } finally {
      await kubectl(['delete', 'clusterrolebinding', `${namespace}-scraper`, '--ignore-not-found']);
    }

    const lease = await mustKubectl([
      'get',
      'lease',
      '-n',
      'kube-node-lease',
      nodeName,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    expect(lease).to.equal(nodeName);

    // No request of the kubelet was refused by RBAC along the way. (The API
    // server does not proxy to loopback nodes, so ask the kubelet directly,
    // with the admin's client certificate.)
    const env = testCluster().env;
    const scrape = await kubeletGet(node.kubeletPort, '/metrics', {
      cert: readFileSync(env['ADMIN_CERT']!, 'utf8'),
      key: readFileSync(env['ADMIN_KEY']!, 'utf8'),
    });
    expect(scrape.status, scrape.body).to.equal(200);
    const metrics = scrape.body;
    const refused = metrics
      .split('\n')
      .filter((l) => l.startsWith('vkcmd_kubelet_apiserver_requests_total') && /code="403"/.test(l));
    expect(refused, 'API requests refused with 403').to.deep.equal([]);
    expect(metrics).to.match(/vkcmd_kubelet_apiserver_requests_total\{[^}]*code="20[01]"/);
    expect(readFileSync(node.logPath('kubelet'), 'utf8')).not.to.match(/forbidden/i);

    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });
});
