import { chmodSync } from 'node:fs';
import { expect } from 'chai';
import type { CoreV1Event } from '@kubernetes/client-node';
import {
  containerState,
  createNamespace,
  deleteNode,
  hasPhase,
  kc,
  mustKubectl,
  startVkNode,
  waitForPod,
} from './support/e2e-env.js';
import { waitForObject } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

/** A pod running `command` with these pod- and container-level security settings. */
function securePod(
  name: string,
  nodeName: string,
  command: string[],
  podSc: Record<string, unknown>,
  containerSc: Record<string, unknown>,
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      nodeSelector: { 'e2e.vk-cmd.io/node': nodeName },
      tolerations: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
      securityContext: podSc,
      containers: [{ name: 'c1', image: 'none', command, securityContext: containerSc }],
    },
  });
}

function waitForEvent(
  namespace: string,
  pod: string,
  reason: string,
  predicate: (e: CoreV1Event) => boolean = () => true,
): Promise<CoreV1Event> {
  return waitForObject<CoreV1Event>(
    kc(),
    `/api/v1/namespaces/${namespace}/events`,
    { fieldSelector: `involvedObject.name=${pod},reason=${reason}` },
    predicate,
    60_000,
    `event ${reason} for ${pod}`,
  );
}

describe('securityContext on a real control plane', function () {
  this.timeout(120_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-security');
    namespace = await createNamespace('security');
  });
  after(async () => node && deleteNode(node));

  it('runAsNonRoot on a root runner without runAsUser is refused with the reason in the pod status', async function () {
    if (process.geteuid?.() !== 0) throw new Error('this test needs a root runner (CI runs as root)');
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      securePod('non-root', node.nodeName, ['id', '-u'], { runAsNonRoot: true }, {}),
    );
    const pod = await waitForPod(
      namespace,
      'non-root',
      (p) => containerState(p, 'c1')?.state?.waiting?.reason === 'CreateContainerConfigError',
      60_000,
      'CreateContainerConfigError',
    );
    expect(pod.status?.phase).to.equal('Pending');
    expect(containerState(pod, 'c1')?.state?.waiting?.message).to.equal(
      `container has runAsNonRoot and image will run as root (pod: "non-root_${namespace}(${pod.metadata?.uid})", container: c1)`,
    );
    const failed = await waitForEvent(namespace, 'non-root', 'Failed');
    expect(failed.type).to.equal('Warning');
    expect(failed.message).to.equal(`Error: ${containerState(pod, 'c1')?.state?.waiting?.message}`);
  });

  it('a pod that does not ask for the host network gets one HostNetworkShared event, and settings not applied are events', async () => {
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      securePod('shared', node.nodeName, ['true'], {}, { seccompProfile: { type: 'RuntimeDefault' } }),
    );
    await waitForPod(namespace, 'shared', hasPhase('Succeeded'), 60_000, 'Succeeded');
    const shared = await waitForEvent(namespace, 'shared', 'HostNetworkShared');
    expect(shared.type).to.equal('Normal');
    expect(shared.count ?? 1).to.equal(1);
    expect(shared.message).to.contain("the pod shares the host's network, PID and IPC namespaces");
    const seccomp = await waitForEvent(namespace, 'shared', 'SecurityContextNotApplied', (e) =>
      (e.message ?? '').startsWith('seccompProfile'),
    );
    expect(seccomp.type).to.equal('Warning');
    expect(seccomp.involvedObject.fieldPath).to.equal('spec.containers{c1}');
    expect(seccomp.message).to.contain('seccompProfile RuntimeDefault is not applied');
  });

  it('a root runner with setpriv runs runAsUser 65534 as that user, with the restricted profile applied (kubectl logs)', async () => {
    if (process.geteuid?.() !== 0) throw new Error('this test needs a root runner (CI runs as root)');
    // The container's uid reaches its directory below the node's root directory.
    chmodSync(node.workDir, 0o755);
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      securePod(
        'as-nobody',
        node.nodeName,
        ['sh', '-c', 'id -u; id -g; grep -E "^(CapEff|NoNewPrivs):" /proc/self/status'],
        { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
        { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      ),
    );
    const pod = await waitForPod(namespace, 'as-nobody', hasPhase('Succeeded'), 60_000, 'Succeeded');
    expect(containerState(pod, 'c1')?.state?.terminated?.exitCode).to.equal(0);
    const logs = await mustKubectl(['logs', '-n', namespace, 'as-nobody']);
    expect(logs).to.equal('65534\n65534\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n');
  });
});
