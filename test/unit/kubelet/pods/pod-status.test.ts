import { expect } from 'chai';
import type { ContainerState__Output } from '../../../../src/generated/vkcmd/runner/v1/ContainerState.js';
import type { ContainerStatus__Output } from '../../../../src/generated/vkcmd/runner/v1/ContainerStatus.js';
import {
  apiPod,
  cond,
  cs,
  runnerPod,
  running,
  status,
  terminated,
  waiting,
} from '../support/pod-fixtures.js';

/** The wiki's container state table: every seed reason with its exit code and message. */
const SEED_REASONS: Array<[reason: string, exitCode: number, message: string]> = [
  ['readDefaultVolDirError', 1, 'Failed to read default volume directory /v; error: EACCES'],
  ['copyFileError', 1, 'Failed to copy file /v/a to /m/a; error: ENOSPC'],
  ['cmdStartError', 1, 'cmd.Start() failed'],
  ['getPgidError', 1, 'failed to get pgid'],
  ['createStdoutFileError', 1, 'failed to create stdout file'],
  ['createStderrFileError', 1, 'failed to create stderr file'],
  ['cmdWaitError', 1, 'cmd.Wait() failed'],
  ['writePgidError', 1, 'failed to write pgid to file /c/pgid; error: EROFS'],
  ['getPidsError', 2, 'Error getting pids'],
  ['getStderrFileInfoError', 2, 'Error getting stderr file info'],
  ['stderrNotEmpty', 3, 'The stderr file is not empty.'],
];

describe('computePodStatus: phase, reasons and conditions from runner states', () => {
  const table: Array<{
    name: string;
    policy?: string;
    ignore?: boolean;
    state: ContainerState__Output;
    extra?: Partial<ContainerStatus__Output>;
    phase: string;
    ready: [string, string | undefined];
    exitCode?: number;
    reason?: string;
    message?: string;
  }> = [
    { name: 'running', state: running(), phase: 'Running', ready: ['True', undefined] },
    {
      name: 'Completed/0 (Never)',
      state: terminated(0, 'Completed'),
      phase: 'Succeeded',
      ready: ['False', 'PodCompleted'],
      exitCode: 0,
      reason: 'Completed',
    },
    ...SEED_REASONS.map(([reason, exitCode, message]) => ({
      name: `${reason}/${exitCode} (Never) is Failed with the runner's message`,
      state: terminated(exitCode, reason, message),
      phase: 'Failed',
      ready: ['False', 'PodFailed'] as [string, string | undefined],
      exitCode,
      reason,
      message,
    })),
    ...SEED_REASONS.map(([reason, exitCode, message]) => ({
      name: `${reason}/${exitCode} (OnFailure) is Running while restarting`,
      policy: 'OnFailure',
      state: terminated(exitCode, reason, message),
      phase: 'Running',
      ready: ['False', 'ContainersNotReady'] as [string, string | undefined],
      exitCode,
      reason,
    })),
    {
      name: 'Error/7 (Never)',
      state: terminated(7, 'Error'),
      phase: 'Failed',
      ready: ['False', 'PodFailed'],
      exitCode: 7,
      reason: 'Error',
    },
    {
      name: 'Completed/0 (Always) is Running while restarting',
      policy: 'Always',
      state: terminated(0, 'Completed'),
      phase: 'Running',
      ready: ['False', 'ContainersNotReady'],
    },
    {
      name: 'Error/7 (OnFailure) is Running',
      policy: 'OnFailure',
      state: terminated(7, 'Error'),
      phase: 'Running',
      ready: ['False', 'ContainersNotReady'],
    },
    {
      name: 'Completed/0 (OnFailure) is Succeeded',
      policy: 'OnFailure',
      state: terminated(0, 'Completed'),
      phase: 'Succeeded',
      ready: ['False', 'PodCompleted'],
    },
    {
      name: 'CrashLoopBackOff after a failure is Running',
      policy: 'Always',
      state: waiting('CrashLoopBackOff', 'back-off 10s restarting failed container=c1'),
      extra: { restartCount: 1, lastState: terminated(1, 'Error') },
      phase: 'Running',
      ready: ['False', 'ContainersNotReady'],
      reason: 'CrashLoopBackOff',
    },
    {
      name: 'waiting ContainerCreating is Pending',
      state: waiting('ContainerCreating'),
      phase: 'Pending',
      ready: ['False', 'ContainersNotReady'],
    },
    {
      name: '--ignore-restart-policy computes Always as Never',
      policy: 'Always',
      ignore: true,
      state: terminated(0, 'Completed'),
      phase: 'Succeeded',
      ready: ['False', 'PodCompleted'],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const s = status({
        pod: apiPod(t.policy ?? 'Never'),
        runnerPod: runnerPod([cs('c1', t.state, t.extra)]),
        ignoreRestartPolicy: t.ignore ?? false,
      });
      expect(s.phase).to.equal(t.phase);
      expect([cond(s, 'Ready')?.status, cond(s, 'Ready')?.reason]).to.deep.equal(t.ready);
      expect(cond(s, 'ContainersReady')?.status).to.equal(t.ready[0]);
      const c = s.containerStatuses![0]!;
      if (t.exitCode !== undefined) expect(c.state?.terminated?.exitCode).to.equal(t.exitCode);
      if (t.reason) expect(c.state?.terminated?.reason ?? c.state?.waiting?.reason).to.equal(t.reason);
      if (t.message) expect(c.state?.terminated?.message).to.equal(t.message);
      expect(c.ready).to.equal(t.state.state === 'running');
      expect(c.containerID).to.equal('vk-cmd://ns_p_c1_100');
    });
  }
});
