// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface StreamStatsRequest {
  'requestId'?: (number | string | Long);
}

export interface StreamStatsRequest__Output {
  'requestId': (number);
}
