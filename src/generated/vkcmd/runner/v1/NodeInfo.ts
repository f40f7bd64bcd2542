// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeInfo {
  'hostname'?: (string);
  'cpus'?: (number);
  'memoryBytes'?: (number | string | Long);
  'operatingSystem'?: (string);
  'architecture'?: (string);
  'kernelVersion'?: (string);
  'osImage'?: (string);
  'bootId'?: (string);
  'machineId'?: (string);
  'runnerVersion'?: (string);
  'runnerStartedAtMs'?: (number | string | Long);
  'slurmJobId'?: (string);
  'slurmJobEndMs'?: (number | string | Long);
  'ephemeralStorageBytes'?: (number | string | Long);
  'rootDir'?: (string);
  'cgroupMode'?: (string);
  'memoryLimitEnforcement'?: (string);
  'cpuLimitEnforcement'?: (string);
  'cgroupRoot'?: (string);
  'cgroupNote'?: (string);
}

export interface NodeInfo__Output {
  'hostname': (string);
  'cpus': (number);
  'memoryBytes': (number);
  'operatingSystem': (string);
  'architecture': (string);
  'kernelVersion': (string);
  'osImage': (string);
  'bootId': (string);
  'machineId': (string);
  'runnerVersion': (string);
  'runnerStartedAtMs': (number);
  'slurmJobId': (string);
  'slurmJobEndMs': (number);
  'ephemeralStorageBytes': (number);
  'rootDir': (string);
  'cgroupMode': (string);
  'memoryLimitEnforcement': (string);
  'cpuLimitEnforcement': (string);
  'cgroupRoot': (string);
  'cgroupNote': (string);
}
