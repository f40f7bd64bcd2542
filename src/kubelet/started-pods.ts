import type { KubeletMetrics } from './kubelet-metrics.js';
import type { RunnerPods } from './pods/pod-record.js';

/**
 * The runner operations as the pod controller uses them, counting every
 * CreatePod the runner accepts in `kubelet_started_pods_total` (a kubelet
 * counts each pod sandbox it starts). Adopted pods are not counted: they were
 * started before this process.
 */
export function countingStartedPods(
  runner: RunnerPods,
  metrics: Pick<KubeletMetrics, 'startedPodsTotal'>,
): RunnerPods {
  return {
    isSynced: () => runner.isSynced(),
    getPod: (uid) => runner.getPod(uid),
    pods: () => runner.pods(),
    createPod: async (spec) => {
      const pod = await runner.createPod(spec);
      metrics.startedPodsTotal.inc();
      return pod;
    },
    deletePod: (uid, gracePeriodSeconds) => runner.deletePod(uid, gracePeriodSeconds),
  };
}
