import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { SecurityContext } from '../../../src/generated/vkcmd/runner/v1/SecurityContext.js';
import {
  capabilityMask,
  DEFAULT_CAPABILITIES,
  formatCapabilityMask,
} from '../../../src/runner/security/capabilities.js';
import { effectiveCapabilities, findSetpriv } from '../../../src/runner/security/host-security.js';
import { openExec } from './support/interactive-client.js';
import {
  eventually,
  groupMembers,
  isRunning,
  isTerminated,
  readLogs,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
} from './support/runner-harness.js';

const NOBODY = 65534;
/** Waits for a file the test writes, so the container stays running until released. */
const WAIT_FOR_RELEASE = 'while [ ! -e "$VK_CMD_CONTAINER_DIR/release" ]; do sleep 0.05; done\n';

function securePod(
  name: string,
  script: string,
  sc: SecurityContext,
  extra: Parameters<typeof scriptPod>[2] = {},
): PodSpec {
  const pod = scriptPod(name, script, extra);
  pod.containers![0]!.securityContext = { hostNetwork: true, hostPid: true, hostIpc: true, ...sc };
  return pod;
}

describe('runner: a root runner applies securityContext at launch with setpriv', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  const runnerCaps = effectiveCapabilities(readFileSync('/proc/self/status', 'utf8'));
  const defaultCaps = capabilityMask(DEFAULT_CAPABILITIES).mask & runnerCaps;
  const containerDir = (pod: PodSpec): string =>
    path.join(h.rootDir, pod.namespace!, pod.name!, 'containers', 'c1');
  const log = (pod: PodSpec): string => readFileSync(path.join(containerDir(pod), 'stdout'), 'utf8');

  before(async () => {
    if (process.geteuid?.() !== 0 || findSetpriv(process.env['PATH']) === undefined)
      throw new Error('these tests must run as root (CI does) on a host with setpriv (util-linux)');
    h = new RunnerHarness();
    // Containers that run as uid 65534 reach their directories below the root.
    chmodSync(h.workDir, 0o755);
    await h.startProcess();
  });
  after(() => h.close());

  async function runToEnd(pod: PodSpec): Promise<Pod__Output> {
    const w = h.watch();
    await h.create(pod);
    return w.waitForPod(pod.uid!, isTerminated('c1'));
  }

  it('runAsUser 65534: the program runs as 65534 and its log, directory and volume files are its own', async () => {
    const pod = securePod('as-nobody', 'id -u\nid -g\n', { runAsUser: NOBODY, runAsGroup: NOBODY });
    const p = await runToEnd(pod);
    expect(terminated(p, 'c1').exitCode, log(pod)).to.equal(0);
    expect(status(p, 'c1').securityNotes).to.deep.equal([]);
    expect(log(pod)).to.equal(`${NOBODY}\n${NOBODY}\n`);
    for (const file of ['stdout', 'stderr', '.', 'job/run.sh']) {
      const st = statSync(path.join(containerDir(pod), file));
      expect([st.uid, st.gid], file).to.deep.equal([NOBODY, NOBODY]);
    }
    expect(statSync(path.join(containerDir(pod), 'exitcode')).uid, 'the wrapper writes as root').to.equal(0);
  });

  it('fsGroup: the volume files are group-owned by it with group read, and the process is in it', async () => {
    const pod = securePod('fs-group', 'id -G\n', {
      runAsUser: NOBODY,
      fsGroup: 4321,
      supplementalGroups: [77],
    });
    const p = await runToEnd(pod);
    expect(terminated(p, 'c1').exitCode, log(pod)).to.equal(0);
    expect(log(pod).trim().split(' ').map(Number)).to.include.members([4321, 77]);
    const st = statSync(path.join(containerDir(pod), 'job', 'run.sh'));
    expect([st.uid, st.gid, st.mode & 0o040]).to.deep.equal([NOBODY, 4321, 0o040]);
  });

  it('privileged unset: the effective capabilities are the default set; drop NET_RAW removes it', async () => {
    const plain = securePod('caps-default', 'grep CapEff /proc/self/status\n', {});
    const dropped = securePod('caps-drop', 'grep CapEff /proc/self/status\n', {
      capabilitiesDrop: ['NET_RAW'],
    });
    for (const [pod, want] of [
      [plain, defaultCaps],
      [dropped, defaultCaps & ~(1n << 13n)],
    ] as const) {
      const p = await runToEnd(pod);
      expect(terminated(p, 'c1').exitCode, log(pod)).to.equal(0);
      expect(status(p, 'c1').securityNotes).to.deep.equal([]);
      expect(log(pod).trim()).to.equal(`CapEff:\t${formatCapabilityMask(want)}`);
    }
  });

  it("privileged: true keeps all of the runner's capabilities", async () => {
    const pod = securePod('caps-privileged', 'grep CapEff /proc/self/status\n', { privileged: true });
    await runToEnd(pod);
    expect(log(pod).trim()).to.equal(`CapEff:\t${formatCapabilityMask(runnerCaps)}`);
  });

  it('allowPrivilegeEscalation: false sets no_new_privs', async () => {
    const pod = securePod('no-new-privs', 'grep NoNewPrivs /proc/self/status\n', {
      allowPrivilegeEscalation: false,
    });
    const p = await runToEnd(pod);
    expect(status(p, 'c1').securityNotes).to.deep.equal([]);
    expect(log(pod).trim()).to.equal('NoNewPrivs:\t1');
  });

  it('exec sessions and exec probes run as the container user; a restarted runner re-adopts the container', async () => {
    const pod = securePod('exec-nobody', `${WAIT_FOR_RELEASE}id -u\n`, { runAsUser: NOBODY });
    pod.containers![0]!.readinessProbe = {
      handler: { exec: { command: ['sh', '-c', `test "$(id -u)" = ${NOBODY}`] } },
      periodSeconds: 1,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 1,
    };
    let w = h.watch();
    await h.create(pod);
    const running = await w.waitForPod(pod.uid!, (p) => isRunning('c1')(p) && status(p, 'c1').ready === true);
    const pgid = status(running, 'c1').pgid;
    const session = await openExec(h.client, { uid: pod.uid!, container: 'c1', command: ['id', '-u'] }).done;
    expect(session.stdout).to.equal(`${NOBODY}\n`);

    await h.killProcess('SIGKILL');
    expect(groupMembers(pgid).length, 'the container outlives the runner').to.be.greaterThan(0);
    await h.startProcess();
    w = h.watch();
    const adopted = await w.waitForPod(pod.uid!, isRunning('c1'));
    expect(status(adopted, 'c1').pgid).to.equal(pgid);
    const again = await openExec(h.client, { uid: pod.uid!, container: 'c1', command: ['id', '-u'] }).done;
    expect(again.stdout).to.equal(`${NOBODY}\n`);
    writeFileSync(path.join(containerDir(pod), 'release'), '');
    const ended = await w.waitForPod(pod.uid!, isTerminated('c1'));
    expect(terminated(ended, 'c1').exitCode, log(pod)).to.equal(0);
    expect(log(pod)).to.equal(`${NOBODY}\n`);
    await eventually(() => groupMembers(pgid).length === 0, 5_000, 'the group ended');
  });

  it("a container's symlink in place of its log does not make the root runner read another file", async () => {
    const pod = securePod(
      'log-symlink',
      'echo mine\nln -s /etc/shadow "$VK_CMD_CONTAINER_DIR/evil" && mv -fT "$VK_CMD_CONTAINER_DIR/evil" "$VK_CMD_CONTAINER_DIR/stdout"\n',
      { runAsUser: NOBODY },
    );
    const p = await runToEnd(pod);
    expect(terminated(p, 'c1').exitCode).to.equal(0);
    expect(await readLogs(h.client, { uid: pod.uid! })).to.equal('');
  });
});
