// Original file: proto/vkcmd/runner/v1/runner.proto

import type { LogStream as _vkcmd_runner_v1_LogStream, LogStream__Output as _vkcmd_runner_v1_LogStream__Output } from '../../../vkcmd/runner/v1/LogStream.js';
import type { Long } from '@grpc/proto-loader';

export interface GetLogsRequest {
  'uid'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'container'?: (string);
  'follow'?: (boolean);
  'tailLines'?: (number | string | Long);
  'sinceSeconds'?: (number | string | Long);
  'sinceTimeMs'?: (number | string | Long);
  'limitBytes'?: (number | string | Long);
  'timestamps'?: (boolean);
  'stream'?: (_vkcmd_runner_v1_LogStream);
  'previous'?: (boolean);
  '_tailLines'?: "tailLines";
  '_sinceSeconds'?: "sinceSeconds";
  '_sinceTimeMs'?: "sinceTimeMs";
  '_limitBytes'?: "limitBytes";
}

export interface GetLogsRequest__Output {
  'uid': (string);
  'namespace': (string);
  'name': (string);
  'container': (string);
  'follow': (boolean);
  'tailLines'?: (number);
  'sinceSeconds'?: (number);
  'sinceTimeMs'?: (number);
  'limitBytes'?: (number);
  'timestamps': (boolean);
  'stream': (_vkcmd_runner_v1_LogStream__Output);
  'previous': (boolean);
  '_tailLines'?: "tailLines";
  '_sinceSeconds'?: "sinceSeconds";
  '_sinceTimeMs'?: "sinceTimeMs";
  '_limitBytes'?: "limitBytes";
}
