// Original file: proto/vkcmd/runner/v1/runner.proto

import type { HttpHeader as _vkcmd_runner_v1_HttpHeader, HttpHeader__Output as _vkcmd_runner_v1_HttpHeader__Output } from '../../../vkcmd/runner/v1/HttpHeader.js';

export interface HttpGetAction {
  'scheme'?: (string);
  'host'?: (string);
  'port'?: (number);
  'path'?: (string);
  'headers'?: (_vkcmd_runner_v1_HttpHeader)[];
}

export interface HttpGetAction__Output {
  'scheme': (string);
  'host': (string);
  'port': (number);
  'path': (string);
  'headers': (_vkcmd_runner_v1_HttpHeader__Output)[];
}
