// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ExecStart as _vkcmd_runner_v1_ExecStart, ExecStart__Output as _vkcmd_runner_v1_ExecStart__Output } from '../../../vkcmd/runner/v1/ExecStart.js';
import type { TerminalSize as _vkcmd_runner_v1_TerminalSize, TerminalSize__Output as _vkcmd_runner_v1_TerminalSize__Output } from '../../../vkcmd/runner/v1/TerminalSize.js';

export interface ExecRequest {
  'start'?: (_vkcmd_runner_v1_ExecStart | null);
  'stdin'?: (Buffer | Uint8Array | string);
  'stdinClose'?: (boolean);
  'resize'?: (_vkcmd_runner_v1_TerminalSize | null);
  'msg'?: "start"|"stdin"|"stdinClose"|"resize";
}

export interface ExecRequest__Output {
  'start'?: (_vkcmd_runner_v1_ExecStart__Output | null);
  'stdin'?: (Buffer);
  'stdinClose'?: (boolean);
  'resize'?: (_vkcmd_runner_v1_TerminalSize__Output | null);
  'msg'?: "start"|"stdin"|"stdinClose"|"resize";
}
