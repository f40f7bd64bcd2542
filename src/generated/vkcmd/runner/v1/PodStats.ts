// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ContainerStats as _vkcmd_runner_v1_ContainerStats, ContainerStats__Output as _vkcmd_runner_v1_ContainerStats__Output } from '../../../vkcmd/runner/v1/ContainerStats.js';

export interface PodStats {
  'uid'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'containers'?: (_vkcmd_runner_v1_ContainerStats)[];
}

export interface PodStats__Output {
  'uid': (string);
  'namespace': (string);
  'name': (string);
  'containers': (_vkcmd_runner_v1_ContainerStats__Output)[];
}
