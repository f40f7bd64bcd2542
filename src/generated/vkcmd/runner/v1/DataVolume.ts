// Original file: proto/vkcmd/runner/v1/runner.proto

import type { KeyToPath as _vkcmd_runner_v1_KeyToPath, KeyToPath__Output as _vkcmd_runner_v1_KeyToPath__Output } from '../../../vkcmd/runner/v1/KeyToPath.js';

export interface DataVolume {
  'sourceName'?: (string);
  'data'?: ({[key: string]: Buffer | Uint8Array | string});
  'items'?: (_vkcmd_runner_v1_KeyToPath)[];
  'defaultMode'?: (number);
  '_defaultMode'?: "defaultMode";
}

export interface DataVolume__Output {
  'sourceName': (string);
  'data': ({[key: string]: Buffer});
  'items': (_vkcmd_runner_v1_KeyToPath__Output)[];
  'defaultMode'?: (number);
  '_defaultMode'?: "defaultMode";
}
