import { expect } from 'chai';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { SecurityContext } from '../../../src/generated/vkcmd/runner/v1/SecurityContext.js';
import { isTerminated, RunnerHarness, scriptPod, status, terminated } from './support/runner-harness.js';

const NOBODY = 65534;

/** A script pod whose container c1 has these security settings (host namespaces not requested). */
function securePod(name: string, script: string, sc: SecurityContext): PodSpec {
  const pod = scriptPod(name, script);
  pod.containers![0]!.securityContext = sc;
  return pod;
}

const isRefused = (name: string) => (p: Pod__Output) =>
  status(p, name).state?.waiting?.reason === 'CreateContainerConfigError';

describe('runner: securityContext honoured or refused', function () {
  this.timeout(60_000);

  before(() => {
    if (process.geteuid?.() !== 0)
      throw new Error(
        'the securityContext tests must run as root (CI does): they start a runner as uid 65534',
      );
  });

  describe('a runner that runs as uid 65534 (real bin/vk-cmd-runner)', () => {
    let h: RunnerHarness;
    before(async () => {
      h = new RunnerHarness([], { uid: NOBODY, gid: NOBODY });
      await h.startProcess();
    });
    after(() => h.close());

    it('refuses runAsUser 1234 with CreateContainerConfigError and never starts it; the other container runs', async () => {
      const w = h.watch();
      const pod = securePod('uid-refused', 'id -u\n', { runAsUser: 1234 });
      pod.containers!.push({ name: 'plain', command: ['id', '-u'] });
      await h.create(pod);
      const p = await w.waitForPod(pod.uid!, (x) => isRefused('c1')(x) && isTerminated('plain')(x));
      expect(status(p, 'c1').state?.waiting).to.deep.equal({
        reason: 'CreateContainerConfigError',
        message: `runAsUser 1234 cannot be honoured: the runner runs as uid ${NOBODY} and cannot change user`,
      });
      expect(status(p, 'c1').pgid).to.equal(0);
      expect(terminated(p, 'plain').exitCode).to.equal(0);
      expect(p.securityNotes.map((n) => n.reason)).to.deep.equal(['HostNetworkShared']);
    });

    it('runs runAsNonRoot and its own uid; notes what it cannot apply', async () => {
      const w = h.watch();
      const pod = securePod('non-root-ok', 'id -u\n', {
        runAsNonRoot: true,
        runAsUser: NOBODY,
        seccompProfileType: 'RuntimeDefault',
        hostNetwork: true,
        hostPid: true,
        hostIpc: true,
      });
      await h.create(pod);
      const p = await w.waitForPod(pod.uid!, isTerminated('c1'));
      expect(terminated(p, 'c1').exitCode).to.equal(0);
      expect(status(p, 'c1').securityNotes.map((n) => n.field)).to.deep.equal(['seccompProfile']);
      expect(p.securityNotes).to.deep.equal([]);
    });
  });

  describe('a root runner', () => {
    let h: RunnerHarness;
    before(async () => {
      h = new RunnerHarness();
      await h.startInProcess();
    });
    after(() => h.close());

    it('refuses runAsNonRoot without runAsUser, worded as the kubelet words it', async () => {
      const w = h.watch();
      const pod = securePod('non-root', 'id -u\n', { runAsNonRoot: true });
      await h.create(pod);
      const p = await w.waitForPod(pod.uid!, isRefused('c1'));
      expect(status(p, 'c1').state?.waiting?.message).to.equal(
        `container has runAsNonRoot and image will run as root (pod: "${pod.name}_${pod.namespace}(${pod.uid})", container: c1)`,
      );
    });

    it('refuses a Localhost seccomp profile', async () => {
      const w = h.watch();
      const pod = securePod('seccomp-local', 'true\n', {
        seccompProfileType: 'Localhost',
        seccompLocalhostProfile: 'profiles/audit.json',
      });
      await h.create(pod);
      const p = await w.waitForPod(pod.uid!, isRefused('c1'));
      expect(status(p, 'c1').state?.waiting?.message).to.equal(
        'seccompProfile Localhost "profiles/audit.json" cannot be honoured: vk-cmd applies no seccomp filters',
      );
    });
  });
});
