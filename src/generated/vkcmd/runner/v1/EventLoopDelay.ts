// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface EventLoopDelay {
  'samples'?: (number | string | Long);
  'p50Ms'?: (number | string);
  'p99Ms'?: (number | string);
  'maxMs'?: (number | string);
}

export interface EventLoopDelay__Output {
  'samples': (number);
  'p50Ms': (number);
  'p99Ms': (number);
  'maxMs': (number);
}
