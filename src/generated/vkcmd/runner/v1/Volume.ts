// Original file: proto/vkcmd/runner/v1/runner.proto

import type { DataVolume as _vkcmd_runner_v1_DataVolume, DataVolume__Output as _vkcmd_runner_v1_DataVolume__Output } from '../../../vkcmd/runner/v1/DataVolume.js';
import type { EmptyDirVolume as _vkcmd_runner_v1_EmptyDirVolume, EmptyDirVolume__Output as _vkcmd_runner_v1_EmptyDirVolume__Output } from '../../../vkcmd/runner/v1/EmptyDirVolume.js';

export interface Volume {
  'name'?: (string);
  'configMap'?: (_vkcmd_runner_v1_DataVolume | null);
  'secret'?: (_vkcmd_runner_v1_DataVolume | null);
  'emptyDir'?: (_vkcmd_runner_v1_EmptyDirVolume | null);
  'source'?: "configMap"|"secret"|"emptyDir";
}

export interface Volume__Output {
  'name': (string);
  'configMap'?: (_vkcmd_runner_v1_DataVolume__Output | null);
  'secret'?: (_vkcmd_runner_v1_DataVolume__Output | null);
  'emptyDir'?: (_vkcmd_runner_v1_EmptyDirVolume__Output | null);
  'source'?: "configMap"|"secret"|"emptyDir";
}
