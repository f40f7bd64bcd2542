// Original file: proto/vkcmd/runner/v1/runner.proto

import type { StateWaiting as _vkcmd_runner_v1_StateWaiting, StateWaiting__Output as _vkcmd_runner_v1_StateWaiting__Output } from '../../../vkcmd/runner/v1/StateWaiting.js';
import type { StateRunning as _vkcmd_runner_v1_StateRunning, StateRunning__Output as _vkcmd_runner_v1_StateRunning__Output } from '../../../vkcmd/runner/v1/StateRunning.js';
import type { StateTerminated as _vkcmd_runner_v1_StateTerminated, StateTerminated__Output as _vkcmd_runner_v1_StateTerminated__Output } from '../../../vkcmd/runner/v1/StateTerminated.js';

export interface ContainerState {
  'waiting'?: (_vkcmd_runner_v1_StateWaiting | null);
  'running'?: (_vkcmd_runner_v1_StateRunning | null);
  'terminated'?: (_vkcmd_runner_v1_StateTerminated | null);
  'state'?: "waiting"|"running"|"terminated";
}

export interface ContainerState__Output {
  'waiting'?: (_vkcmd_runner_v1_StateWaiting__Output | null);
  'running'?: (_vkcmd_runner_v1_StateRunning__Output | null);
  'terminated'?: (_vkcmd_runner_v1_StateTerminated__Output | null);
  'state'?: "waiting"|"running"|"terminated";
}
