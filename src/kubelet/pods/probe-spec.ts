import type { V1LifecycleHandler, V1Probe } from '@kubernetes/client-node';
import { expandVars } from '../../common/expand-vars.js';
import type { Handler } from '../../generated/vkcmd/runner/v1/Handler.js';
import type { Lifecycle } from '../../generated/vkcmd/runner/v1/Lifecycle.js';
import type { Probe } from '../../generated/vkcmd/runner/v1/Probe.js';
import type { Wire, WireContainer, WirePod } from '../kube/wire-types.js';

type WireProbe = Wire<V1Probe>;
type WireLifecycleHandler = Wire<V1LifecycleHandler>;

/**
 * A probe's or hook's port as probe.ResolveContainerPort finds it: a number
 * as it is, a name through the container's ports (else a number written as
 * a string); 1-65535. Pure.
 */
export function resolveContainerPort(
  port: number | string | undefined,
  container: WireContainer,
): { ok: true; port: number } | { ok: false; message: string } {
  let value: number;
  if (typeof port === 'number') value = port;
  else if (typeof port === 'string') {
    const named = (container.ports ?? []).find((p) => p.name === port);
    if (named) value = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) value = Number(port);
    else {
      return {
        ok: false,
        message: `port ${JSON.stringify(port)} is neither a number nor the name of a port of container ${container.name}`,
      };
    }
  } else return { ok: false, message: 'the port is not set' };
  if (Number.isInteger(value) && value > 0 && value < 65536) return { ok: true, port: value };
  return { ok: false, message: `invalid port number: ${value}` };
}

/**
 * $(VAR) in an exec probe's command, expanded as the kubelet's
 * ExpandContainerCommandOnlyStatic does: from the container's env values
 * only (a variable set from a ConfigMap, Secret or field expands to the
 * empty string). Pure.
 */
export function expandStatic(command: readonly string[], container: WireContainer): string[] {
  const values = new Map<string, string>();
  for (const e of container.env ?? []) values.set(e.name, e.value ?? '');
  return command.map((arg) => expandVars(arg, (name) => values.get(name)));
}

/** `name_namespace(uid)`, as the kubelet's format.Pod. Pure. */
function formatPod(pod: WirePod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

/**
 * The runner's form of a probe's or hook's action, ports resolved. What
 * cannot run (no action, an unknown port name, a tcpSocket hook) carries
 * `error` instead, so every run reports it as the kubelet would and the
 * pod is never refused for it. Pure.
 */
export function toRunnerHandler(
  handler: WireProbe | WireLifecycleHandler,
  container: WireContainer,
  pod: WirePod,
  kind: 'probe' | 'hook',
): Handler {
  if (handler.exec) return { exec: { command: expandStatic(handler.exec.command ?? [], container) } };
  if (handler.httpGet) {
    const g = handler.httpGet;
    const port = resolveContainerPort(g.port, container);
    const action = {
      scheme: g.scheme ?? '',
      host: g.host ?? '',
      port: port.ok ? port.port : 0,
      path: g.path ?? '',
      headers: (g.httpHeaders ?? []).map((h) => ({ name: h.name, value: h.value })),
    };
    return port.ok ? { httpGet: action } : { httpGet: action, error: port.message };
  }
  if ('grpc' in handler && handler.grpc && kind === 'probe') {
    const port = resolveContainerPort(handler.grpc.port, container);
    const action = { port: port.ok ? port.port : 0, service: handler.grpc.service ?? '' };
    return port.ok ? { grpc: action } : { grpc: action, error: port.message };
  }
  if (handler.tcpSocket) {
    if (kind === 'hook') return { error: 'invalid handler: tcpSocket is not supported in a lifecycle hook' };
    const port = resolveContainerPort(handler.tcpSocket.port, container);
    const action = { host: handler.tcpSocket.host ?? '', port: port.ok ? port.port : 0 };
    return port.ok ? { tcpSocket: action } : { tcpSocket: action, error: port.message };
  }
  if ('sleep' in handler && handler.sleep && kind === 'hook')
    return { sleep: { seconds: handler.sleep.seconds } };
  return {
    error:
      kind === 'probe'
        ? `missing probe handler for ${formatPod(pod)}:${container.name}`
        : 'invalid handler: no action is set',
  };
}

/** A probe in the runner's form; undefined when the container has none. Pure. */
export function toRunnerProbe(
  probe: WireProbe | undefined,
  container: WireContainer,
  pod: WirePod,
): Probe | undefined {
  if (!probe) return undefined;
  return {
    handler: toRunnerHandler(probe, container, pod, 'probe'),
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 0,
    timeoutSeconds: probe.timeoutSeconds ?? 0,
    successThreshold: probe.successThreshold ?? 0,
    failureThreshold: probe.failureThreshold ?? 0,
    ...(probe.terminationGracePeriodSeconds === undefined
      ? {}
      : { terminationGracePeriodSeconds: probe.terminationGracePeriodSeconds }),
  };
}

/** The probes and hooks of a container in the runner's form (app containers only; Kubernetes forbids them on init containers). Pure. */
export function runnerHealthFields(
  container: WireContainer,
  pod: WirePod,
): { startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe; lifecycle?: Lifecycle } {
  const out: { startupProbe?: Probe; readinessProbe?: Probe; livenessProbe?: Probe; lifecycle?: Lifecycle } =
    {};
  const startup = toRunnerProbe(container.startupProbe, container, pod);
  const readiness = toRunnerProbe(container.readinessProbe, container, pod);
  const liveness = toRunnerProbe(container.livenessProbe, container, pod);
  if (startup) out.startupProbe = startup;
  if (readiness) out.readinessProbe = readiness;
  if (liveness) out.livenessProbe = liveness;
  const l = container.lifecycle;
  if (l?.postStart || l?.preStop) {
    out.lifecycle = {
      ...(l.postStart ? { postStart: toRunnerHandler(l.postStart, container, pod, 'hook') } : {}),
      ...(l.preStop ? { preStop: toRunnerHandler(l.preStop, container, pod, 'hook') } : {}),
    };
  }
  return out;
}
