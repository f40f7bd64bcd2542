// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface DeletePodRequest {
  'uid'?: (string);
  'gracePeriodSeconds'?: (number | string | Long);
  '_gracePeriodSeconds'?: "gracePeriodSeconds";
}

export interface DeletePodRequest__Output {
  'uid': (string);
  'gracePeriodSeconds'?: (number);
  '_gracePeriodSeconds'?: "gracePeriodSeconds";
}
