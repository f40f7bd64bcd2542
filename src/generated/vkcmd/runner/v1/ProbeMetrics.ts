// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ProbeCounter as _vkcmd_runner_v1_ProbeCounter, ProbeCounter__Output as _vkcmd_runner_v1_ProbeCounter__Output } from '../../../vkcmd/runner/v1/ProbeCounter.js';

export interface ProbeMetrics {
  'counters'?: (_vkcmd_runner_v1_ProbeCounter)[];
}

export interface ProbeMetrics__Output {
  'counters': (_vkcmd_runner_v1_ProbeCounter__Output)[];
}
