// Original file: proto/vkcmd/runner/v1/runner.proto

import type { EventLoopDelay as _vkcmd_runner_v1_EventLoopDelay, EventLoopDelay__Output as _vkcmd_runner_v1_EventLoopDelay__Output } from '../../../vkcmd/runner/v1/EventLoopDelay.js';
import type { Long } from '@grpc/proto-loader';

export interface RunnerHealth {
  'timestampMs'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
  'eventLoopDelay'?: (_vkcmd_runner_v1_EventLoopDelay | null);
  'eventLoopDelaySinceLastCall'?: (_vkcmd_runner_v1_EventLoopDelay | null);
  'eventLoopDelayBoundsMs'?: (number | string)[];
  'eventLoopDelayCounts'?: (number | string | Long)[];
  'eventLoopDelaySumMs'?: (number | string);
  'rssBytes'?: (number | string | Long);
  'pods'?: (number);
  'procScans'?: (number | string | Long);
  'lastProcScanRoundMs'?: (number | string);
}

export interface RunnerHealth__Output {
  'timestampMs': (number);
  'startedAtMs': (number);
  'eventLoopDelay': (_vkcmd_runner_v1_EventLoopDelay__Output | null);
  'eventLoopDelaySinceLastCall': (_vkcmd_runner_v1_EventLoopDelay__Output | null);
  'eventLoopDelayBoundsMs': (number)[];
  'eventLoopDelayCounts': (number)[];
  'eventLoopDelaySumMs': (number);
  'rssBytes': (number);
  'pods': (number);
  'procScans': (number);
  'lastProcScanRoundMs': (number);
}
