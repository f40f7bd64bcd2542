// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ContainerState as _vkcmd_runner_v1_ContainerState, ContainerState__Output as _vkcmd_runner_v1_ContainerState__Output } from '../../../vkcmd/runner/v1/ContainerState.js';
import type { ProbeReport as _vkcmd_runner_v1_ProbeReport, ProbeReport__Output as _vkcmd_runner_v1_ProbeReport__Output } from '../../../vkcmd/runner/v1/ProbeReport.js';
import type { SecurityNote as _vkcmd_runner_v1_SecurityNote, SecurityNote__Output as _vkcmd_runner_v1_SecurityNote__Output } from '../../../vkcmd/runner/v1/SecurityNote.js';

export interface ContainerStatus {
  'name'?: (string);
  'state'?: (_vkcmd_runner_v1_ContainerState | null);
  'lastState'?: (_vkcmd_runner_v1_ContainerState | null);
  'restartCount'?: (number);
  'pgid'?: (number);
  'image'?: (string);
  'started'?: (boolean);
  'ready'?: (boolean);
  'probeReports'?: (_vkcmd_runner_v1_ProbeReport)[];
  'stopReason'?: (string);
  'postStartFailed'?: (boolean);
  'preStopFailed'?: (boolean);
  'securityNotes'?: (_vkcmd_runner_v1_SecurityNote)[];
  '_started'?: "started";
  '_ready'?: "ready";
}

export interface ContainerStatus__Output {
  'name': (string);
  'state': (_vkcmd_runner_v1_ContainerState__Output | null);
  'lastState': (_vkcmd_runner_v1_ContainerState__Output | null);
  'restartCount': (number);
  'pgid': (number);
  'image': (string);
  'started'?: (boolean);
  'ready'?: (boolean);
  'probeReports': (_vkcmd_runner_v1_ProbeReport__Output)[];
  'stopReason': (string);
  'postStartFailed': (boolean);
  'preStopFailed': (boolean);
  'securityNotes': (_vkcmd_runner_v1_SecurityNote__Output)[];
  '_started'?: "started";
  '_ready'?: "ready";
}
