import path from 'node:path';
import type { Container__Output } from '../../generated/vkcmd/runner/v1/Container.js';
import type { PodSpec__Output } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { buildArgv, identityEnv } from '../process/command-line.js';
import type { LaunchPlan } from '../process/container-launcher.js';
import type { ContainerLimits } from '../process/container-limiter.js';
import type { SetupFailure } from './container-status.js';
import { UnsafePathError, joinRelative } from '../files/safe-path.js';
import { resolveScript } from '../files/script-resolution.js';
import { containerRelDir } from '../files/container-dir.js';
import { planVolumes, type VolumePlan } from '../files/volume-plan.js';

export interface ContainerPlan {
  name: string;
  init: boolean;
  image: string;
  /** Absolute container directory. */
  dir: string;
  launch: LaunchPlan | undefined;
  setupError: SetupFailure | undefined;
  /** Undefined when the container has no memory or CPU limit. */
  limits?: ContainerLimits | undefined;
}

export interface PodPlan {
  podDir: string;
  /** Undefined when the layout failed; then nothing may be written and every container carries the failure. */
  volumes: VolumePlan | undefined;
  containers: ContainerPlan[];
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
export function planPod(spec: PodSpec__Output, podDir: string): PodPlan {
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
      })),
    };
  }
  const containers = all.map(([c, init, field]): ContainerPlan => {
    const dir = path.join(podDir, containerRelDir(c.name));
    const base = { name: c.name, init, image: c.image, dir, limits: containerLimits(c) };
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
    return { ...base, launch: { argv, cwd, podEnv, ...interactiveFlags(c) }, setupError: undefined };
  });
  return { podDir, volumes, containers };
}
