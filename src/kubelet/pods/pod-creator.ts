import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { ContainerConfigError } from '../errors.js';
import { RunnerCallError } from '../runner/runner-link.js';
import { podKey } from './event-recorder.js';
import type { PodObjectFetcher } from './object-fetcher.js';
import type { PodRecord, RunnerPods } from './pod-record.js';
import type { PodStatusReporter } from './pod-status-reporter.js';
import { buildRunnerPodSpec } from './runner-pod-spec.js';

export interface PodCreatorOptions {
  hostIp: string;
  ignoreRestartPolicy: boolean;
  allocatable: () => { cpu: string; memory: string; 'ephemeral-storage': string };
}

/**
 * created: the runner holds the pod. waiting: its configuration is incomplete
 * (reported on the pod; retry later). rerun: the pod or the link changed while
 * resolving; sync again.
 */
export type CreateOutcome = 'created' | 'waiting' | 'rerun';

/**
 * Creates a pod in the runner as the kubelet starts one: fetches what it
 * refers to, resolves env and volumes, then calls CreatePod. Rejects on API
 * or runner failures (the caller retries); a runner refusal is also shown on
 * the pod as CreateContainerError.
 */
export class PodCreator {
  constructor(
    private readonly fetcher: PodObjectFetcher,
    private readonly runner: RunnerPods,
    private readonly reporter: PodStatusReporter,
    private readonly logger: Logger,
    private readonly options: PodCreatorOptions,
  ) {}

  async create(rec: PodRecord, pod: V1Pod): Promise<CreateOutcome> {
    rec.creating = true;
    try {
      let built;
      try {
        built = buildRunnerPodSpec(pod, await this.fetcher.fetch(pod), {
          hostIp: this.options.hostIp,
          podIp: this.options.hostIp,
          allocatable: this.options.allocatable(),
          ignoreRestartPolicy: this.options.ignoreRestartPolicy,
        });
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        this.reporter.createError(rec, pod, { message: err.message, containers: err.containers });
        return 'waiting';
      }
      if (!rec.pod || rec.pod.metadata?.deletionTimestamp || !this.runner.isSynced()) return 'rerun';
      try {
        await this.runner.createPod(built.spec);
      } catch (err) {
        if (err instanceof RunnerCallError) {
          this.reporter.createError(rec, pod, {
            reason: 'CreateContainerError',
            message: err.message,
            containers: [],
          });
        }
        throw err;
      }
      rec.created = true;
      rec.createdHere = true;
      rec.configError = undefined;
      rec.retryBackoff.reset();
      this.logger.info({ pod: podKey(pod), uid: rec.uid }, 'Created pod');
      this.reporter.skippedVolumes(pod, built.skipped);
      return 'created';
    } finally {
      rec.creating = false;
    }
  }
}
