// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface StateRunning {
  'startedAtMs'?: (number | string | Long);
}

export interface StateRunning__Output {
  'startedAtMs': (number);
}
