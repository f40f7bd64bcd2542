// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Container as _vkcmd_runner_v1_Container, Container__Output as _vkcmd_runner_v1_Container__Output } from '../../../vkcmd/runner/v1/Container.js';
import type { Volume as _vkcmd_runner_v1_Volume, Volume__Output as _vkcmd_runner_v1_Volume__Output } from '../../../vkcmd/runner/v1/Volume.js';
import type { Long } from '@grpc/proto-loader';

export interface PodSpec {
  'uid'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'initContainers'?: (_vkcmd_runner_v1_Container)[];
  'containers'?: (_vkcmd_runner_v1_Container)[];
  'volumes'?: (_vkcmd_runner_v1_Volume)[];
  'restartPolicy'?: (string);
  'terminationGracePeriodSeconds'?: (number | string | Long);
  '_terminationGracePeriodSeconds'?: "terminationGracePeriodSeconds";
}

export interface PodSpec__Output {
  'uid': (string);
  'namespace': (string);
  'name': (string);
  'initContainers': (_vkcmd_runner_v1_Container__Output)[];
  'containers': (_vkcmd_runner_v1_Container__Output)[];
  'volumes': (_vkcmd_runner_v1_Volume__Output)[];
  'restartPolicy': (string);
  'terminationGracePeriodSeconds'?: (number);
  '_terminationGracePeriodSeconds'?: "terminationGracePeriodSeconds";
}
