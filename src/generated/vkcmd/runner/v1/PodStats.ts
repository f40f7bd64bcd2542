// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ContainerStats as _vkcmd_runner_v1_ContainerStats, ContainerStats__Output as _vkcmd_runner_v1_ContainerStats__Output } from '../../../vkcmd/runner/v1/ContainerStats.js';
import type { VolumeStats as _vkcmd_runner_v1_VolumeStats, VolumeStats__Output as _vkcmd_runner_v1_VolumeStats__Output } from '../../../vkcmd/runner/v1/VolumeStats.js';

export interface PodStats {
  'uid'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'containers'?: (_vkcmd_runner_v1_ContainerStats)[];
  'volumes'?: (_vkcmd_runner_v1_VolumeStats)[];
}

export interface PodStats__Output {
  'uid': (string);
  'namespace': (string);
  'name': (string);
  'containers': (_vkcmd_runner_v1_ContainerStats__Output)[];
  'volumes': (_vkcmd_runner_v1_VolumeStats__Output)[];
}
