import path from 'node:path';
import type { Container__Output } from '../../generated/vkcmd/runner/v1/Container.js';
import type { PodSpec__Output } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { buildArgv, identityEnv } from '../process/command-line.js';
import type { LaunchPlan } from '../process/launch-plan.js';
import type { ContainerLimits } from '../process/container-limiter.js';
import type { SetupFailure } from './container-status.js';
import { UnsafePathError, joinRelative } from '../files/safe-path.js';
import { resolveScript } from '../files/script-resolution.js';
import { containerRelDir } from '../files/container-dir.js';
import { planVolumes, type VolumePlan } from '../files/volume-plan.js';
import { decideSecurity, type SecurityDecision } from '../security/security-decision.js';
import type { HostSecurity } from '../security/host-security.js';
import { launchPrefix } from '../security/launch-prefix.js';
import type { ContainerFileOwner, PodFileOwnership } from '../files/file-ownership.js';

export interface ContainerPlan {
  name: string;
  init: boolean;
  image: string;
  /** Absolute container directory. */
  dir: string;
  launch: LaunchPlan | undefined;
  setupError: SetupFailure | undefined;
  /** The runner's answer to the container's security settings; undefined when planned without a host (tests). */
  security: SecurityDecision | undefined;
  /** Undefined when the container has no memory or CPU limit. */
  limits?: ContainerLimits | undefined;
}

export interface PodPlan {
  podDir: string;
  /** Undefined when the layout failed; then nothing may be written and every container carries the failure. */
  volumes: VolumePlan | undefined;
  containers: ContainerPlan[];
  /** Owners of the files of containers that run as other users; undefined: all the runner's. */
  ownership?: PodFileOwnership | undefined;
}

/**
 * What a security decision adds to a container's launch plan: the setpriv
 * prefix and the owner of its log files. Empty for a refused container
 * (it never starts) and when nothing changes. Pure.
 */
export function securityLaunch(
  decision: SecurityDecision | undefined,
  host: HostSecurity | undefined,
): Pick<LaunchPlan, 'prefix' | 'fileOwner'> {
  if (!decision || !host || decision.refusal !== undefined) return {};
  const prefix = launchPrefix(host.setpriv, decision.launch);
  return {
    ...(prefix ? { prefix } : {}),
    ...(decision.fileOwner ? { fileOwner: { ...decision.fileOwner } } : {}),
  };
}

/**
 * The owner of a container's directory and volume files: its uid and gid,
 * with the fsGroup as group when set; undefined when they stay the
 * runner's. Pure.
 */
export function containerFileOwner(
  decision: SecurityDecision | undefined,
  host: HostSecurity | undefined,
): ContainerFileOwner | undefined {
  if (!decision || !host || decision.refusal !== undefined) return undefined;
  if (!decision.fileOwner && decision.fsGroup === undefined) return undefined;
  const uid = decision.fileOwner?.uid ?? host.runner.uid;
  const gid = decision.fsGroup ?? decision.fileOwner?.gid ?? host.runner.gid;
  return { uid, gid, groupAccess: decision.fsGroup !== undefined };
}

function podOwnership(
  plans: readonly ContainerPlan[],
  host: HostSecurity | undefined,
): PodFileOwnership | undefined {
  const containers = new Map<string, ContainerFileOwner>();
  let emptyDirGid: number | undefined;
  for (const c of plans) {
    const owner = containerFileOwner(c.security, host);
    if (owner) containers.set(containerRelDir(c.name), owner);
    if (c.security?.refusal === undefined && c.security?.fsGroup !== undefined)
      emptyDirGid = c.security.fsGroup;
  }
  return containers.size > 0 ? { containers, emptyDirGid } : undefined;
}

/** The limits the runner enforces, from a container of the request; undefined when it sets none. Pure. */
export function containerLimits(c: Container__Output): ContainerLimits | undefined {
  const limits: ContainerLimits = {
    memoryLimitBytes: c.memoryLimitBytes ?? 0,
    cpuLimitMillis: c.cpuLimitMillis ?? 0,
    cpuRequestMillis: c.cpuRequestMillis ?? 0,
  };
  return limits.memoryLimitBytes > 0 || limits.cpuLimitMillis > 0 ? limits : undefined;
}

/** stdin, stdinOnce and tty of a container, kept in its launch plan only when set (records stay small). Pure. */
export function interactiveFlags(
  c: Pick<Container__Output, 'stdin' | 'stdinOnce' | 'tty'>,
): Pick<LaunchPlan, 'stdin' | 'stdinOnce' | 'tty'> {
  return {
    ...(c.stdin ? { stdin: true } : {}),
    ...(c.stdin && c.stdinOnce ? { stdinOnce: true } : {}),
    ...(c.tty ? { tty: true } : {}),
  };
}

function execBits(mode: number): number {
  return mode | ((mode & 0o444) >> 2);
}

/**
 * Turns a validated spec into everything needed to write the pod directory
 * and start its containers. Pure. A path problem anywhere fails the whole pod
 * (reason copyFileError, nothing is written); an image that cannot be resolved
 * fails only its container (readDefaultVolDirError).
 */
export function planPod(
  spec: PodSpec__Output,
  podDir: string,
  host: HostSecurity | undefined = undefined,
): PodPlan {
  const securityOf = (c: Container__Output): SecurityDecision | undefined =>
    host &&
    decideSecurity(
      c.securityContext,
      c.name,
      { name: spec.name, namespace: spec.namespace, uid: spec.uid },
      host.runner,
      host.can,
      host.accounts,
    );
  const all: Array<[Container__Output, boolean, string]> = [
    ...spec.initContainers.map((c, i): [Container__Output, boolean, string] => [
      c,
      true,
      `pod.initContainers[${i}]`,
    ]),
    ...spec.containers.map((c, i): [Container__Output, boolean, string] => [
      c,
      false,
      `pod.containers[${i}]`,
    ]),
  ];
  let volumes: VolumePlan;
  try {
    volumes = planVolumes(spec, podDir);
  } catch (err) {
    if (!(err instanceof UnsafePathError)) throw err;
    const setupError: SetupFailure = {
      reason: 'copyFileError',
      message: `refused to write the pod's files: ${err.message}; nothing was written`,
    };
    return {
      podDir,
      volumes: undefined,
      containers: all.map(([c, init]) => ({
        name: c.name,
        init,
        image: c.image,
        dir: path.join(podDir, containerRelDir(c.name)),
        launch: undefined,
        setupError,
        security: securityOf(c),
      })),
    };
  }
  const containers = all.map(([c, init, field]): ContainerPlan => {
    const dir = path.join(podDir, containerRelDir(c.name));
    const base = {
      name: c.name,
      init,
      image: c.image,
      dir,
      limits: containerLimits(c),
      security: securityOf(c),
    };
    const script = resolveScript(c, volumes.mounts.get(c.name) ?? [], field);
    if (script.kind === 'error') {
      return { ...base, launch: undefined, setupError: { reason: script.reason, message: script.message } };
    }
    const scriptAbs = script.kind === 'script' ? path.join(dir, script.path) : undefined;
    if (scriptAbs !== undefined && c.command.length === 0) {
      // The script is the program: it must be executable.
      const rel = joinRelative(containerRelDir(c.name), script.kind === 'script' ? script.path : '');
      const file = volumes.files.find((f) => f.path === rel);
      if (file) file.mode = execBits(file.mode);
    }
    const podEnv = [
      ...c.env.map((e) => ({ name: e.name, value: e.value })),
      ...identityEnv({
        podName: spec.name,
        podNamespace: spec.namespace,
        podUid: spec.uid,
        containerName: c.name,
        podDir,
        containerDir: dir,
      }),
    ];
    const argv = buildArgv(c, scriptAbs, podEnv);
    const workingDir = volumes.workingDirs.get(c.name) ?? '';
    const cwd = workingDir === '' ? dir : path.join(dir, workingDir);
    return {
      ...base,
      launch: { argv, cwd, podEnv, ...interactiveFlags(c), ...securityLaunch(base.security, host) },
      setupError: undefined,
    };
  });
  return { podDir, volumes, containers, ownership: podOwnership(containers, host) };
}
