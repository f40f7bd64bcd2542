// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ExecExit as _vkcmd_runner_v1_ExecExit, ExecExit__Output as _vkcmd_runner_v1_ExecExit__Output } from '../../../vkcmd/runner/v1/ExecExit.js';

export interface ExecResponse {
  'stdout'?: (Buffer | Uint8Array | string);
  'stderr'?: (Buffer | Uint8Array | string);
  'exit'?: (_vkcmd_runner_v1_ExecExit | null);
  'msg'?: "stdout"|"stderr"|"exit";
}

export interface ExecResponse__Output {
  'stdout'?: (Buffer);
  'stderr'?: (Buffer);
  'exit'?: (_vkcmd_runner_v1_ExecExit__Output | null);
  'msg'?: "stdout"|"stderr"|"exit";
}
