// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ContainerStatus as _vkcmd_runner_v1_ContainerStatus, ContainerStatus__Output as _vkcmd_runner_v1_ContainerStatus__Output } from '../../../vkcmd/runner/v1/ContainerStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface Pod {
  'uid'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'initContainerStatuses'?: (_vkcmd_runner_v1_ContainerStatus)[];
  'containerStatuses'?: (_vkcmd_runner_v1_ContainerStatus)[];
  'createdAtMs'?: (number | string | Long);
  'deleting'?: (boolean);
  'revision'?: (number | string | Long);
  'restartPolicy'?: (string);
  'ephemeralContainerStatuses'?: (_vkcmd_runner_v1_ContainerStatus)[];
}

export interface Pod__Output {
  'uid': (string);
  'namespace': (string);
  'name': (string);
  'initContainerStatuses': (_vkcmd_runner_v1_ContainerStatus__Output)[];
  'containerStatuses': (_vkcmd_runner_v1_ContainerStatus__Output)[];
  'createdAtMs': (number);
  'deleting': (boolean);
  'revision': (number);
  'restartPolicy': (string);
  'ephemeralContainerStatuses': (_vkcmd_runner_v1_ContainerStatus__Output)[];
}
