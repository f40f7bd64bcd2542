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
  users: Array<{ user: { 'auth-provider': { config: { tokenFile: string } } } }>;
}

async function renderBase(): Promise<KubernetesObject[]> {
  return loadAllYaml(await mustKubectl(['kustomize', BASE_DIR])) as KubernetesObject[];
}

function toYaml(objects: KubernetesObject[]): string {
  return objects.map((o) => dumpYaml(o)).join('---\n');
}

/** A stand-in for metrics-server's release Deployment, with the args its manifest ships. */
const METRICS_SERVER_STUB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: metrics-server
  namespace: kube-system
spec:
  selector:
    matchLabels: {k8s-app: metrics-server}
  template:
    metadata:
      labels: {k8s-app: metrics-server}
    spec:
      containers:
        - name: metrics-server
          image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
          args:
            - --cert-dir=/tmp
            - --secure-port=10250
            - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname
            - --kubelet-use-node-status-port
            - --metric-resolution=15s
`;

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
    const objects = await renderBase();
    const kinds = objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(kinds).to.deep.equal(
      [
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
      ].sort(),
    );
    const lease = objects.find((o) => o.kind === 'Role');
    expect(lease?.metadata?.namespace, 'the lease Role stays in kube-node-lease').to.equal('kube-node-lease');

    // A server-side dry run of the namespaced objects needs their namespace
    // to exist (and not be on its way out from an earlier run); the Namespace
    // object itself is still only dry-run applied.
    await kubectl(['wait', '--for=delete', 'namespace/vk-cmd', '--timeout=120s'], undefined, 150_000);
    await kubectl(['create', 'namespace', 'vk-cmd']);
    const result = await kubectl(['apply', '--dry-run=server', '-k', BASE_DIR]);
    expect(result.code, result.stderr).to.equal(0);
    for (const kind of kinds) {
      const [k, name] = kind.split('/');
      expect(result.stdout.toLowerCase()).to.match(
        new RegExp(
          `${k!.toLowerCase()}[.a-z0-9/]*/${name} (created|configured|unchanged) \\(server dry run\\)`,
        ),
      );
    }
  });

  it('patches a metrics-server Deployment with flags metrics-server really has', async () => {
    const dir = path.join(workDir, 'metrics-server');
    await mustRun('mkdir', ['-p', dir]);
    writeFileSync(path.join(dir, 'metrics-server.yaml'), METRICS_SERVER_STUB);
    // Kustomize refuses absolute component paths; relative ones may leave the root.
    const rel = (sub: string): string => path.relative(dir, path.join(METRICS_OVERLAY_DIR, sub));
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      `resources: [metrics-server.yaml]\ncomponents: [${rel('vk-cmd-args')}, ${rel('insecure-tls')}]\n`,
    );
    // The overlay itself names the same components, so this exercises what it applies.
    const overlay = loadYaml<{ components: string[] }>(
      readFileSync(path.join(METRICS_OVERLAY_DIR, 'kustomization.yaml'), 'utf8'),
    );
    expect(overlay.components).to.deep.equal(['vk-cmd-args', 'insecure-tls']);

    const [deployment] = loadAllYaml(await mustKubectl(['kustomize', dir])) as Array<{
      spec: { template: { spec: { containers: Array<{ args: string[] }> } } };
    }>;
    const args = deployment!.spec.template.spec.containers[0]!.args;
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
    expect(args).to.include('--kubelet-insecure-tls');

    const help = await mustRun(path.join(TOOLS_BIN, 'metrics-server'), ['--help']).catch(
      (err: Error) => err.message,
    );
    for (const flag of [
      '--kubelet-use-node-status-port',
      '--kubelet-preferred-address-types',
      '--kubelet-insecure-tls',
    ]) {
      expect(help, `metrics-server --help lists ${flag}`).to.contain(flag);
    }

    const result = await kubectl(['apply', '--dry-run=server', '-k', dir]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(
      /deployment\.apps\/metrics-server (created|configured) \(server dry run\)/,
    );
  });

  it("runs the wiki example with only the base's RBAC, through the base's kubeconfig", async () => {
    const objects = await renderBase();
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
    kubeconfig.users[0]!.user['auth-provider'].config.tokenFile = tokenFile;
    const kubeconfigPath = path.join(workDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, dumpYaml(kubeconfig));
    const whoami = await mustRun(path.join(TOOLS_BIN, 'kubectl'), [
      '--token',
      token,
      '--server',
      testCluster().env['APISERVER_URL']!,
      '--certificate-authority',
      testCluster().env['CA_CERT']!,
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
