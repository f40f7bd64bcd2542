import type { Handler__Output } from '../../generated/vkcmd/runner/v1/Handler.js';
import type { Probe__Output } from '../../generated/vkcmd/runner/v1/Probe.js';

/** The three probes, spelled as the kubelet's probeType.String() spells them (labels, event text). */
export type ProbeType = 'Startup' | 'Readiness' | 'Liveness';

/** In the order the kubelet adds its workers. */
export const PROBE_TYPES: readonly ProbeType[] = ['Startup', 'Readiness', 'Liveness'];

/** One probe of one container, with Kubernetes' defaults applied. */
export interface ProbeSettings {
  type: ProbeType;
  handler: Handler__Output;
  initialDelaySeconds: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
  /** The probe's own grace for the stop its failure causes; undefined means the pod's. */
  terminationGracePeriodSeconds: number | undefined;
}

/** Kubernetes' defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe). */
export const PROBE_DEFAULTS = {
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

const positiveOr = (value: number, fallback: number): number =>
  Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;

/**
 * A probe as the runner runs it: zero (unset) fields take Kubernetes'
 * defaults, negative delays count as none. Undefined when the container has
 * no such probe. Pure.
 */
export function probeSettings(
  type: ProbeType,
  probe: Probe__Output | null | undefined,
): ProbeSettings | undefined {
  if (!probe) return undefined;
  return {
    type,
    handler: probe.handler ?? { error: 'the probe has no handler' },
    initialDelaySeconds: Math.max(0, Math.floor(probe.initialDelaySeconds || 0)),
    periodMs: positiveOr(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds) * 1000,
    timeoutMs: positiveOr(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds) * 1000,
    successThreshold: positiveOr(probe.successThreshold, PROBE_DEFAULTS.successThreshold),
    failureThreshold: positiveOr(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold),
    terminationGracePeriodSeconds:
      probe.terminationGracePeriodSeconds === undefined
        ? undefined
        : Math.max(0, probe.terminationGracePeriodSeconds),
  };
}

/** The probes of a container, startup first; missing ones left out. Pure. */
export function containerProbes(container: {
  startupProbe?: Probe__Output | null;
  readinessProbe?: Probe__Output | null;
  livenessProbe?: Probe__Output | null;
}): ProbeSettings[] {
  const out: ProbeSettings[] = [];
  const add = (s: ProbeSettings | undefined): void => {
    if (s) out.push(s);
  };
  add(probeSettings('Startup', container.startupProbe));
  add(probeSettings('Readiness', container.readinessProbe));
  add(probeSettings('Liveness', container.livenessProbe));
  return out;
}
