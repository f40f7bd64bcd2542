// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Pod as _vkcmd_runner_v1_Pod, Pod__Output as _vkcmd_runner_v1_Pod__Output } from '../../../vkcmd/runner/v1/Pod.js';
import type { DeletePodResponse as _vkcmd_runner_v1_DeletePodResponse, DeletePodResponse__Output as _vkcmd_runner_v1_DeletePodResponse__Output } from '../../../vkcmd/runner/v1/DeletePodResponse.js';
import type { CommandFailure as _vkcmd_runner_v1_CommandFailure, CommandFailure__Output as _vkcmd_runner_v1_CommandFailure__Output } from '../../../vkcmd/runner/v1/CommandFailure.js';
import type { Long } from '@grpc/proto-loader';

export interface PodCommandResponse {
  'requestId'?: (number | string | Long);
  'pod'?: (_vkcmd_runner_v1_Pod | null);
  'deleted'?: (_vkcmd_runner_v1_DeletePodResponse | null);
  'failure'?: (_vkcmd_runner_v1_CommandFailure | null);
  'result'?: "pod"|"deleted"|"failure";
}

export interface PodCommandResponse__Output {
  'requestId': (number);
  'pod'?: (_vkcmd_runner_v1_Pod__Output | null);
  'deleted'?: (_vkcmd_runner_v1_DeletePodResponse__Output | null);
  'failure'?: (_vkcmd_runner_v1_CommandFailure__Output | null);
  'result'?: "pod"|"deleted"|"failure";
}
