// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Handler as _vkcmd_runner_v1_Handler, Handler__Output as _vkcmd_runner_v1_Handler__Output } from '../../../vkcmd/runner/v1/Handler.js';

export interface Lifecycle {
  'postStart'?: (_vkcmd_runner_v1_Handler | null);
  'preStop'?: (_vkcmd_runner_v1_Handler | null);
}

export interface Lifecycle__Output {
  'postStart': (_vkcmd_runner_v1_Handler__Output | null);
  'preStop': (_vkcmd_runner_v1_Handler__Output | null);
}
