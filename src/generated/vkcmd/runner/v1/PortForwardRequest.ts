// Original file: proto/vkcmd/runner/v1/runner.proto

import type { PortForwardStart as _vkcmd_runner_v1_PortForwardStart, PortForwardStart__Output as _vkcmd_runner_v1_PortForwardStart__Output } from '../../../vkcmd/runner/v1/PortForwardStart.js';

export interface PortForwardRequest {
  'start'?: (_vkcmd_runner_v1_PortForwardStart | null);
  'data'?: (Buffer | Uint8Array | string);
  'closeWrite'?: (boolean);
  'msg'?: "start"|"data"|"closeWrite";
}

export interface PortForwardRequest__Output {
  'start'?: (_vkcmd_runner_v1_PortForwardStart__Output | null);
  'data'?: (Buffer);
  'closeWrite'?: (boolean);
  'msg'?: "start"|"data"|"closeWrite";
}
