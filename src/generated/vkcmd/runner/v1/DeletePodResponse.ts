// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Pod as _vkcmd_runner_v1_Pod, Pod__Output as _vkcmd_runner_v1_Pod__Output } from '../../../vkcmd/runner/v1/Pod.js';

export interface DeletePodResponse {
  'found'?: (boolean);
  'pod'?: (_vkcmd_runner_v1_Pod | null);
}

export interface DeletePodResponse__Output {
  'found': (boolean);
  'pod': (_vkcmd_runner_v1_Pod__Output | null);
}
