// Original file: proto/vkcmd/runner/v1/runner.proto

import type { TerminalSize as _vkcmd_runner_v1_TerminalSize, TerminalSize__Output as _vkcmd_runner_v1_TerminalSize__Output } from '../../../vkcmd/runner/v1/TerminalSize.js';

export interface AttachStart {
  'uid'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'container'?: (string);
  'stdin'?: (boolean);
  'stdout'?: (boolean);
  'stderr'?: (boolean);
  'tty'?: (boolean);
  'size'?: (_vkcmd_runner_v1_TerminalSize | null);
}

export interface AttachStart__Output {
  'uid': (string);
  'namespace': (string);
  'name': (string);
  'container': (string);
  'stdin': (boolean);
  'stdout': (boolean);
  'stderr': (boolean);
  'tty': (boolean);
  'size': (_vkcmd_runner_v1_TerminalSize__Output | null);
}
