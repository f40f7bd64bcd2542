import path from 'node:path';
import type { AddEphemeralContainerRequest__Output } from '../../generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import { InvalidInputError, PreconditionError } from '../../common/errors.js';
import { containerRelDir } from '../files/container-dir.js';
import { SafeWriter } from '../files/safe-path.js';
import { OWNED_CONTAINER_DIR_MODE, SHARED_POD_DIR_MODE } from '../files/file-ownership.js';
import { fchmodSync, fchownSync } from 'node:fs';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import { buildArgv, identityEnv } from '../process/command-line.js';
import { waiting, type ContainerRecord, type PodRecord } from './pod-record.js';
import { interactiveFlags, securityLaunch } from './pod-plan.js';
import type { PodRuntime } from './pod-runtime.js';
import { isDnsLabel } from './pod-spec-validation.js';
import type { HostSecurity } from '../security/host-security.js';
import { decideSecurity } from '../security/security-decision.js';

/** What an ephemeral container runs when it names no command: a shell, as debug images' entrypoints do. */
export const DEFAULT_EPHEMERAL_COMMAND = ['sh'];

/** The result of planning: the pod has it already (idempotent), or the container to add. */
export type EphemeralPlan = { kind: 'exists' } | { kind: 'add'; container: ContainerRecord };

function fail(field: string, problem: string): never {
  throw new InvalidInputError(`${field}: ${problem}`);
}

/**
 * Plans an ephemeral (debug) container for a running pod. It runs in its
 * target container's context: the target's working directory (joined with
 * its own workingDir) and the target's environment, then its own env, then
 * identity variables naming itself; with no target, in the pod directory
 * with only its own env. Its own directory (`containers/<name>/`) holds its
 * pgid, exit code and logs. Its image and volumeMounts are not used (there
 * is no image to pull; it sees the target's files). Without command and
 * args it runs `sh`. It runs once and is never restarted. Pure: throws
 * InvalidInputError for a malformed request, PreconditionError when the pod
 * is not running or the target cannot give a context.
 */
export function planEphemeralContainer(
  record: PodRecord,
  req: AddEphemeralContainerRequest__Output,
  bootId: string,
  host: HostSecurity | undefined = undefined,
): EphemeralPlan {
  const c = req.container;
  if (!c) fail('container', 'must be set');
  if (!isDnsLabel(c.name)) fail('container.name', `"${c.name}" must be a DNS label`);
  [...c.command, ...c.args].forEach(
    (v) => v.includes('\0') && fail('container.command', 'must not contain a NUL byte'),
  );
  c.env.forEach((e, i) => {
    if (!e.name || e.name.includes('=') || e.name.includes('\0'))
      fail(`container.env[${i}].name`, `"${e.name}" is not a variable name`);
    if (e.value.includes('\0')) fail(`container.env[${i}].value`, 'must not contain a NUL byte');
  });
  const existing = record.containers.find((x) => x.name === c.name);
  if (existing?.ephemeral) return { kind: 'exists' };
  if (existing) fail('container.name', `"${c.name}" is used by another container of the pod`);
  const key = `${record.namespace}/${record.name}`;
  if (
    record.deleting ||
    !record.podDirWritten ||
    !record.containers.some((x) => x.state.state === 'running')
  ) {
    throw new PreconditionError(`pod ${key} is not running`);
  }
  let base = { cwd: record.podDir, env: [] as Array<{ name: string; value: string }> };
  if (req.targetContainer) {
    const target = record.containers.find((x) => x.name === req.targetContainer);
    if (!target) fail('targetContainer', `"${req.targetContainer}" is not a container of pod ${key}`);
    if (!target.launch)
      throw new PreconditionError(`target container ${target.name} has nothing to share: it never started`);
    base = { cwd: target.launch.cwd, env: target.launch.podEnv };
  }
  const dir = path.join(record.podDir, containerRelDir(c.name));
  const podEnv = [
    ...base.env,
    ...c.env.map((e) => ({ name: e.name, value: e.value })),
    ...identityEnv({
      podName: record.name,
      podNamespace: record.namespace,
      podUid: record.uid,
      containerName: c.name,
      podDir: record.podDir,
      containerDir: dir,
    }),
  ];
  const spec =
    c.command.length === 0 && c.args.length === 0 ? { command: DEFAULT_EPHEMERAL_COMMAND, args: [] } : c;
  const argv = buildArgv(spec, undefined, podEnv);
  const cwd = c.workingDir ? path.resolve(base.cwd, c.workingDir) : base.cwd;
  const container: ContainerRecord = {
    name: c.name,
    init: false,
    ephemeral: true,
    image: c.image,
    dir,
    launch: { argv, cwd, podEnv, ...interactiveFlags(c) },
    setupError: undefined,
    state: waiting('ContainerCreating'),
    lastState: undefined,
    restartCount: 0,
    pgid: 0,
    leaderStartTicks: 0,
    bootId,
    backoffMs: 0,
    restartAtMs: 0,
  };
  // Its security settings are decided as any container's; a refused one waits and never starts.
  const security =
    host &&
    decideSecurity(
      c.securityContext,
      c.name,
      { name: record.name, namespace: record.namespace, uid: record.uid },
      host.runner,
      host.can,
      host.accounts,
    );
  if (security && security.notes.length > 0) container.securityNotes = security.notes;
  container.launch = { ...container.launch!, ...securityLaunch(security, host) };
  if (security?.refusal !== undefined) {
    container.securityRefusal = security.refusal;
    container.state = waiting('CreateContainerConfigError', security.refusal);
  }
  return { kind: 'add', container };
}

/**
 * AddEphemeralContainer on one pod: plans it, creates its directory and
 * starts it; the pod's runtime persists and publishes the change. A name
 * the pod already has as an ephemeral container returns the pod unchanged.
 * Blocking (mkdir, spawn).
 */
export function addEphemeralContainer(
  runtime: Pick<PodRuntime, 'record' | 'addContainer' | 'toProto'>,
  req: AddEphemeralContainerRequest__Output,
  bootId: string,
  host: HostSecurity | undefined = undefined,
): Pod {
  const plan = planEphemeralContainer(runtime.record, req, bootId, host);
  if (plan.kind === 'add') {
    const writer = new SafeWriter(runtime.record.podDir);
    try {
      const dir = writer.mkdirs(containerRelDir(plan.container.name));
      const owner = plan.container.launch?.fileOwner;
      if (owner) {
        // It runs as another user: it must reach its directory (through the pod's) and own it.
        fchmodSync(writer.mkdirs('').fd, SHARED_POD_DIR_MODE);
        fchownSync(dir.fd, owner.uid, owner.gid);
        fchmodSync(dir.fd, OWNED_CONTAINER_DIR_MODE);
      }
    } finally {
      writer.close();
    }
    runtime.addContainer(plan.container);
  }
  return runtime.toProto();
}
