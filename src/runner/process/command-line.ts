import { envLookup, expandVars } from '../../common/expand-vars.js';
import type { Container__Output } from '../../generated/vkcmd/runner/v1/Container.js';

export interface EnvEntry {
  name: string;
  value: string;
}

/** Identity of a container, given to its processes as VK_CMD_* variables. */
export interface ContainerIdentity {
  podName: string;
  podNamespace: string;
  podUid: string;
  containerName: string;
  podDir: string;
  containerDir: string;
}

/**
 * The variables every container gets, after the pod's own env (so they always
 * describe the real pod): VK_CMD_POD_NAME, VK_CMD_POD_NAMESPACE, VK_CMD_POD_UID,
 * VK_CMD_CONTAINER_NAME, VK_CMD_POD_DIR, VK_CMD_CONTAINER_DIR.
 */
export function identityEnv(id: ContainerIdentity): EnvEntry[] {
  return [
    { name: 'VK_CMD_POD_NAME', value: id.podName },
    { name: 'VK_CMD_POD_NAMESPACE', value: id.podNamespace },
    { name: 'VK_CMD_POD_UID', value: id.podUid },
    { name: 'VK_CMD_CONTAINER_NAME', value: id.containerName },
    { name: 'VK_CMD_POD_DIR', value: id.podDir },
    { name: 'VK_CMD_CONTAINER_DIR', value: id.containerDir },
  ];
}

/**
 * `command + [script] + args` with Kubernetes `$(VAR)` expansion against the
 * container's env (the pod's env then the identity variables; not the
 * runner's own environment, as in Kubernetes). Without a command the script
 * itself is the program. Pure; returns an empty argv when there is nothing to
 * run.
 */
export function buildArgv(
  container: Pick<Container__Output, 'command' | 'args'>,
  scriptPath: string | undefined,
  env: readonly EnvEntry[],
): string[] {
  const lookup = envLookup(env);
  const expand = (s: string): string => expandVars(s, lookup);
  const command = container.command.map(expand);
  const args = container.args.map(expand);
  return [...command, ...(scriptPath === undefined ? [] : [scriptPath]), ...args];
}

/**
 * The process environment: the runner's own (PATH, HPC modules, SLURM_*),
 * overridden by the pod's env in order, then the identity variables. Pure.
 */
export function buildProcessEnv(
  runnerEnv: Readonly<Record<string, string | undefined>>,
  podEnv: readonly EnvEntry[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(runnerEnv)) if (v !== undefined) out[k] = v;
  for (const e of podEnv) out[e.name] = e.value;
  return out;
}
