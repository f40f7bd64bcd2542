// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface VolumeStats {
  'name'?: (string);
  'usedBytes'?: (number | string | Long);
}

export interface VolumeStats__Output {
  'name': (string);
  'usedBytes': (number);
}
