import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { KubeApi } from '../kube/kube-api.js';
import { podKey } from './event-recorder.js';
import type { PodRecord, RunnerPods } from './pod-record.js';
import type { PodStatusReporter } from './pod-status-reporter.js';
import { apiShowsStarted } from './pod-status.js';

/**
 * The deletion protocol: a pod with a deletionTimestamp is stopped in the
 * runner with its grace period; once the runner has forgotten it (every
 * process gone), its final status is written and the object is deleted with
 * grace 0 and a UID precondition.
 */
export class PodDeleter {
  constructor(
    private readonly api: KubeApi,
    private readonly runner: RunnerPods,
    private readonly reporter: PodStatusReporter,
    private readonly logger: Logger,
  ) {}

  /** DeletePod in the runner, remembered on the record so it is sent once. */
  async stopInRunner(rec: PodRecord, gracePeriodSeconds: number | undefined): Promise<void> {
    rec.deleteSent = true;
    try {
      await this.runner.deletePod(rec.uid, gracePeriodSeconds);
      this.logger.info(
        { pod: `${rec.namespace}/${rec.name}`, uid: rec.uid, gracePeriodSeconds },
        'Stopping pod',
      );
    } catch (err) {
      rec.deleteSent = false;
      throw err;
    }
  }

  /** One step of the protocol for a pod the API shows as being deleted. */
  async sync(rec: PodRecord, pod: V1Pod, runnerPod: Pod__Output | undefined, linkUp: boolean): Promise<void> {
    if (rec.creating) return;
    if (runnerPod) {
      if (!linkUp) return;
      if (!rec.deleteSent && !runnerPod.deleting) {
        this.reporter.killing(pod, runnerPod);
        await this.stopInRunner(rec, pod.metadata?.deletionGracePeriodSeconds);
      }
      void this.reporter.write(rec, pod, this.runner.getPod(rec.uid));
      return;
    }
    // The runner does not hold it. If it ran and the link is down, the runner may still: wait.
    if (!linkUp && (rec.created || apiShowsStarted(pod))) return;
    if (rec.apiDeleteSent) return;
    if (rec.runnerGone) await this.reporter.write(rec, pod, rec.runnerGone, true);
    rec.apiDeleteSent = true;
    try {
      await this.api.deletePod(rec.namespace, rec.name, rec.uid);
      this.logger.info({ pod: podKey(pod), uid: rec.uid }, 'Deleted pod');
    } catch (err) {
      rec.apiDeleteSent = false;
      throw err;
    }
  }
}
