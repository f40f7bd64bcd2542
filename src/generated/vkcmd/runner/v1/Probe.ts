// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Handler as _vkcmd_runner_v1_Handler, Handler__Output as _vkcmd_runner_v1_Handler__Output } from '../../../vkcmd/runner/v1/Handler.js';
import type { Long } from '@grpc/proto-loader';

export interface Probe {
  'handler'?: (_vkcmd_runner_v1_Handler | null);
  'initialDelaySeconds'?: (number);
  'periodSeconds'?: (number);
  'timeoutSeconds'?: (number);
  'successThreshold'?: (number);
  'failureThreshold'?: (number);
  'terminationGracePeriodSeconds'?: (number | string | Long);
  '_terminationGracePeriodSeconds'?: "terminationGracePeriodSeconds";
}

export interface Probe__Output {
  'handler': (_vkcmd_runner_v1_Handler__Output | null);
  'initialDelaySeconds': (number);
  'periodSeconds': (number);
  'timeoutSeconds': (number);
  'successThreshold': (number);
  'failureThreshold': (number);
  'terminationGracePeriodSeconds'?: (number);
  '_terminationGracePeriodSeconds'?: "terminationGracePeriodSeconds";
}
