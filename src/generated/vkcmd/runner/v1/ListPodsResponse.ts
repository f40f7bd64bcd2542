// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Pod as _vkcmd_runner_v1_Pod, Pod__Output as _vkcmd_runner_v1_Pod__Output } from '../../../vkcmd/runner/v1/Pod.js';
import type { Long } from '@grpc/proto-loader';

export interface ListPodsResponse {
  'pods'?: (_vkcmd_runner_v1_Pod)[];
  'revision'?: (number | string | Long);
  'epoch'?: (string);
}

export interface ListPodsResponse__Output {
  'pods': (_vkcmd_runner_v1_Pod__Output)[];
  'revision': (number);
  'epoch': (string);
}
