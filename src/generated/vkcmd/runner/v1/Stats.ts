// Original file: proto/vkcmd/runner/v1/runner.proto

import type { NodeStats as _vkcmd_runner_v1_NodeStats, NodeStats__Output as _vkcmd_runner_v1_NodeStats__Output } from '../../../vkcmd/runner/v1/NodeStats.js';
import type { PodStats as _vkcmd_runner_v1_PodStats, PodStats__Output as _vkcmd_runner_v1_PodStats__Output } from '../../../vkcmd/runner/v1/PodStats.js';
import type { Long } from '@grpc/proto-loader';

export interface Stats {
  'timestampMs'?: (number | string | Long);
  'node'?: (_vkcmd_runner_v1_NodeStats | null);
  'pods'?: (_vkcmd_runner_v1_PodStats)[];
}

export interface Stats__Output {
  'timestampMs': (number);
  'node': (_vkcmd_runner_v1_NodeStats__Output | null);
  'pods': (_vkcmd_runner_v1_PodStats__Output)[];
}
