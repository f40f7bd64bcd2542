// Original file: proto/vkcmd/runner/v1/runner.proto

import type { EnvVar as _vkcmd_runner_v1_EnvVar, EnvVar__Output as _vkcmd_runner_v1_EnvVar__Output } from '../../../vkcmd/runner/v1/EnvVar.js';
import type { VolumeMount as _vkcmd_runner_v1_VolumeMount, VolumeMount__Output as _vkcmd_runner_v1_VolumeMount__Output } from '../../../vkcmd/runner/v1/VolumeMount.js';
import type { Long } from '@grpc/proto-loader';

export interface Container {
  'name'?: (string);
  'image'?: (string);
  'command'?: (string)[];
  'args'?: (string)[];
  'workingDir'?: (string);
  'env'?: (_vkcmd_runner_v1_EnvVar)[];
  'volumeMounts'?: (_vkcmd_runner_v1_VolumeMount)[];
  'stdin'?: (boolean);
  'stdinOnce'?: (boolean);
  'tty'?: (boolean);
  'memoryLimitBytes'?: (number | string | Long);
  'cpuLimitMillis'?: (number | string | Long);
  'ephemeralStorageLimitBytes'?: (number | string | Long);
  'memoryRequestBytes'?: (number | string | Long);
  'cpuRequestMillis'?: (number | string | Long);
  'ephemeralStorageRequestBytes'?: (number | string | Long);
}

export interface Container__Output {
  'name': (string);
  'image': (string);
  'command': (string)[];
  'args': (string)[];
  'workingDir': (string);
  'env': (_vkcmd_runner_v1_EnvVar__Output)[];
  'volumeMounts': (_vkcmd_runner_v1_VolumeMount__Output)[];
  'stdin': (boolean);
  'stdinOnce': (boolean);
  'tty': (boolean);
  'memoryLimitBytes': (number);
  'cpuLimitMillis': (number);
  'ephemeralStorageLimitBytes': (number);
  'memoryRequestBytes': (number);
  'cpuRequestMillis': (number);
  'ephemeralStorageRequestBytes': (number);
}
