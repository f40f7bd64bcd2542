// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface StateTerminated {
  'exitCode'?: (number);
  'signal'?: (number);
  'reason'?: (string);
  'message'?: (string);
  'startedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
}

export interface StateTerminated__Output {
  'exitCode': (number);
  'signal': (number);
  'reason': (string);
  'message': (string);
  'startedAtMs': (number);
  'finishedAtMs': (number);
}
