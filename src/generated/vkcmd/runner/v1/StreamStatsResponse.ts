// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Stats as _vkcmd_runner_v1_Stats, Stats__Output as _vkcmd_runner_v1_Stats__Output } from '../../../vkcmd/runner/v1/Stats.js';
import type { Long } from '@grpc/proto-loader';

export interface StreamStatsResponse {
  'requestId'?: (number | string | Long);
  'stats'?: (_vkcmd_runner_v1_Stats | null);
}

export interface StreamStatsResponse__Output {
  'requestId': (number);
  'stats': (_vkcmd_runner_v1_Stats__Output | null);
}
