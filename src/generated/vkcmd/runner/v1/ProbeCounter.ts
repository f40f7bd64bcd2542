// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface ProbeCounter {
  'podUid'?: (string);
  'namespace'?: (string);
  'pod'?: (string);
  'container'?: (string);
  'probeType'?: (string);
  'successful'?: (number | string | Long);
  'failed'?: (number | string | Long);
  'unknown'?: (number | string | Long);
  'skipped'?: (number | string | Long);
}

export interface ProbeCounter__Output {
  'podUid': (string);
  'namespace': (string);
  'pod': (string);
  'container': (string);
  'probeType': (string);
  'successful': (number);
  'failed': (number);
  'unknown': (number);
  'skipped': (number);
}
