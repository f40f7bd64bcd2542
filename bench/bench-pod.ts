/** The label every benchmark pod carries, valued with its scenario, so leftovers can be found. */
export const SCENARIO_LABEL = 'vk-cmd.io/bench-scenario';
/** The node label that pins pods to the benchmark's node through the scheduler. */
export const NODE_LABEL = 'vk-cmd.io/bench-node';

/**
 * A minimal pod for the benchmark: one container running `command` directly
 * (an image that names no volume, so no script file is involved), restartPolicy
 * Never, no service-account token volume, and the default grace period. Bound
 * to `nodeName` directly, or left to the scheduler with a node selector. Pure.
 */
export function benchPod(options: {
  name: string;
  scenario: string;
  nodeName: string;
  command: string[];
  viaScheduler: boolean;
}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name, labels: { [SCENARIO_LABEL]: options.scenario } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      ...(options.viaScheduler
        ? { nodeSelector: { [NODE_LABEL]: options.nodeName } }
        : { nodeName: options.nodeName }),
      tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
      containers: [{ name: 'c1', image: 'bench', command: options.command }],
    },
  };
}

/** `<prefix>-0000`, `<prefix>-0001`, ...: sortable names, unique within a run. */
export function podNames(prefix: string, count: number): string[] {
  const width = Math.max(4, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(width, '0')}`);
}
