// Original file: proto/vkcmd/runner/v1/runner.proto

import type { CreatePodRequest as _vkcmd_runner_v1_CreatePodRequest, CreatePodRequest__Output as _vkcmd_runner_v1_CreatePodRequest__Output } from '../../../vkcmd/runner/v1/CreatePodRequest.js';
import type { DeletePodRequest as _vkcmd_runner_v1_DeletePodRequest, DeletePodRequest__Output as _vkcmd_runner_v1_DeletePodRequest__Output } from '../../../vkcmd/runner/v1/DeletePodRequest.js';
import type { Long } from '@grpc/proto-loader';

export interface PodCommandRequest {
  'requestId'?: (number | string | Long);
  'createPod'?: (_vkcmd_runner_v1_CreatePodRequest | null);
  'deletePod'?: (_vkcmd_runner_v1_DeletePodRequest | null);
  'command'?: "createPod"|"deletePod";
}

export interface PodCommandRequest__Output {
  'requestId': (number);
  'createPod'?: (_vkcmd_runner_v1_CreatePodRequest__Output | null);
  'deletePod'?: (_vkcmd_runner_v1_DeletePodRequest__Output | null);
  'command'?: "createPod"|"deletePod";
}
