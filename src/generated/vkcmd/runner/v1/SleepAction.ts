// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface SleepAction {
  'seconds'?: (number | string | Long);
}

export interface SleepAction__Output {
  'seconds': (number);
}
