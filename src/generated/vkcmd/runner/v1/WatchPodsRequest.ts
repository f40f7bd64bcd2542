// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchPodsRequest {
  'sinceRevision'?: (number | string | Long);
  'epoch'?: (string);
  'heartbeatIntervalMs'?: (number | string | Long);
}

export interface WatchPodsRequest__Output {
  'sinceRevision': (number);
  'epoch': (string);
  'heartbeatIntervalMs': (number);
}
