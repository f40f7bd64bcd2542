// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface ContainerStats {
  'name'?: (string);
  'cpuUsageCoreNanoseconds'?: (number | string | Long);
  'memoryWorkingSetBytes'?: (number | string | Long);
  'memoryRssBytes'?: (number | string | Long);
  'processCount'?: (number);
  'startedAtMs'?: (number | string | Long);
  'logsBytes'?: (number | string | Long);
  'rootfsBytes'?: (number | string | Long);
}

export interface ContainerStats__Output {
  'name': (string);
  'cpuUsageCoreNanoseconds': (number);
  'memoryWorkingSetBytes': (number);
  'memoryRssBytes': (number);
  'processCount': (number);
  'startedAtMs': (number);
  'logsBytes': (number);
  'rootfsBytes': (number);
}
