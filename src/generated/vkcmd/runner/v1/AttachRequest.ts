// Original file: proto/vkcmd/runner/v1/runner.proto

import type { AttachStart as _vkcmd_runner_v1_AttachStart, AttachStart__Output as _vkcmd_runner_v1_AttachStart__Output } from '../../../vkcmd/runner/v1/AttachStart.js';
import type { TerminalSize as _vkcmd_runner_v1_TerminalSize, TerminalSize__Output as _vkcmd_runner_v1_TerminalSize__Output } from '../../../vkcmd/runner/v1/TerminalSize.js';

export interface AttachRequest {
  'start'?: (_vkcmd_runner_v1_AttachStart | null);
  'stdin'?: (Buffer | Uint8Array | string);
  'stdinClose'?: (boolean);
  'resize'?: (_vkcmd_runner_v1_TerminalSize | null);
  'msg'?: "start"|"stdin"|"stdinClose"|"resize";
}

export interface AttachRequest__Output {
  'start'?: (_vkcmd_runner_v1_AttachStart__Output | null);
  'stdin'?: (Buffer);
  'stdinClose'?: (boolean);
  'resize'?: (_vkcmd_runner_v1_TerminalSize__Output | null);
  'msg'?: "start"|"stdin"|"stdinClose"|"resize";
}
