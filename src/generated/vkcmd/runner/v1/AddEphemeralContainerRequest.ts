// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Container as _vkcmd_runner_v1_Container, Container__Output as _vkcmd_runner_v1_Container__Output } from '../../../vkcmd/runner/v1/Container.js';

export interface AddEphemeralContainerRequest {
  'uid'?: (string);
  'container'?: (_vkcmd_runner_v1_Container | null);
  'targetContainer'?: (string);
}

export interface AddEphemeralContainerRequest__Output {
  'uid': (string);
  'container': (_vkcmd_runner_v1_Container__Output | null);
  'targetContainer': (string);
}
