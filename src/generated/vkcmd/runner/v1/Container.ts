// Original file: proto/vkcmd/runner/v1/runner.proto

import type { EnvVar as _vkcmd_runner_v1_EnvVar, EnvVar__Output as _vkcmd_runner_v1_EnvVar__Output } from '../../../vkcmd/runner/v1/EnvVar.js';
import type { VolumeMount as _vkcmd_runner_v1_VolumeMount, VolumeMount__Output as _vkcmd_runner_v1_VolumeMount__Output } from '../../../vkcmd/runner/v1/VolumeMount.js';
import type { Probe as _vkcmd_runner_v1_Probe, Probe__Output as _vkcmd_runner_v1_Probe__Output } from '../../../vkcmd/runner/v1/Probe.js';
import type { Lifecycle as _vkcmd_runner_v1_Lifecycle, Lifecycle__Output as _vkcmd_runner_v1_Lifecycle__Output } from '../../../vkcmd/runner/v1/Lifecycle.js';
import type { SecurityContext as _vkcmd_runner_v1_SecurityContext, SecurityContext__Output as _vkcmd_runner_v1_SecurityContext__Output } from '../../../vkcmd/runner/v1/SecurityContext.js';
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
  'startupProbe'?: (_vkcmd_runner_v1_Probe | null);
  'readinessProbe'?: (_vkcmd_runner_v1_Probe | null);
  'livenessProbe'?: (_vkcmd_runner_v1_Probe | null);
  'lifecycle'?: (_vkcmd_runner_v1_Lifecycle | null);
  'memoryLimitBytes'?: (number | string | Long);
  'cpuLimitMillis'?: (number | string | Long);
  'ephemeralStorageLimitBytes'?: (number | string | Long);
  'memoryRequestBytes'?: (number | string | Long);
  'cpuRequestMillis'?: (number | string | Long);
  'ephemeralStorageRequestBytes'?: (number | string | Long);
  'securityContext'?: (_vkcmd_runner_v1_SecurityContext | null);
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
  'startupProbe': (_vkcmd_runner_v1_Probe__Output | null);
  'readinessProbe': (_vkcmd_runner_v1_Probe__Output | null);
  'livenessProbe': (_vkcmd_runner_v1_Probe__Output | null);
  'lifecycle': (_vkcmd_runner_v1_Lifecycle__Output | null);
  'memoryLimitBytes': (number);
  'cpuLimitMillis': (number);
  'ephemeralStorageLimitBytes': (number);
  'memoryRequestBytes': (number);
  'cpuRequestMillis': (number);
  'ephemeralStorageRequestBytes': (number);
  'securityContext': (_vkcmd_runner_v1_SecurityContext__Output | null);
}
