// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeStats {
  'cpuUsageCoreNanoseconds'?: (number | string | Long);
  'memoryWorkingSetBytes'?: (number | string | Long);
  'memoryUsageBytes'?: (number | string | Long);
  'memoryAvailableBytes'?: (number | string | Long);
  'memoryRssBytes'?: (number | string | Long);
  'memoryTotalBytes'?: (number | string | Long);
  'bootTimeMs'?: (number | string | Long);
  'fsCapacityBytes'?: (number | string | Long);
  'fsAvailableBytes'?: (number | string | Long);
  'processCount'?: (number);
}

export interface NodeStats__Output {
  'cpuUsageCoreNanoseconds': (number);
  'memoryWorkingSetBytes': (number);
  'memoryUsageBytes': (number);
  'memoryAvailableBytes': (number);
  'memoryRssBytes': (number);
  'memoryTotalBytes': (number);
  'bootTimeMs': (number);
  'fsCapacityBytes': (number);
  'fsAvailableBytes': (number);
  'processCount': (number);
}
