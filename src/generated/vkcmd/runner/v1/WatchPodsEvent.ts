// Original file: proto/vkcmd/runner/v1/runner.proto

import type { WatchEventType as _vkcmd_runner_v1_WatchEventType, WatchEventType__Output as _vkcmd_runner_v1_WatchEventType__Output } from '../../../vkcmd/runner/v1/WatchEventType.js';
import type { Pod as _vkcmd_runner_v1_Pod, Pod__Output as _vkcmd_runner_v1_Pod__Output } from '../../../vkcmd/runner/v1/Pod.js';
import type { Long } from '@grpc/proto-loader';

export interface WatchPodsEvent {
  'type'?: (_vkcmd_runner_v1_WatchEventType);
  'revision'?: (number | string | Long);
  'epoch'?: (string);
  'pod'?: (_vkcmd_runner_v1_Pod | null);
}

export interface WatchPodsEvent__Output {
  'type': (_vkcmd_runner_v1_WatchEventType__Output);
  'revision': (number);
  'epoch': (string);
  'pod': (_vkcmd_runner_v1_Pod__Output | null);
}
