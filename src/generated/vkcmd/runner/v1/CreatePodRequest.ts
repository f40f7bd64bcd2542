// Original file: proto/vkcmd/runner/v1/runner.proto

import type { PodSpec as _vkcmd_runner_v1_PodSpec, PodSpec__Output as _vkcmd_runner_v1_PodSpec__Output } from '../../../vkcmd/runner/v1/PodSpec.js';

export interface CreatePodRequest {
  'pod'?: (_vkcmd_runner_v1_PodSpec | null);
}

export interface CreatePodRequest__Output {
  'pod': (_vkcmd_runner_v1_PodSpec__Output | null);
}
