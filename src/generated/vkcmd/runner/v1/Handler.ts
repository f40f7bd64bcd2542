// Original file: proto/vkcmd/runner/v1/runner.proto

import type { ExecAction as _vkcmd_runner_v1_ExecAction, ExecAction__Output as _vkcmd_runner_v1_ExecAction__Output } from '../../../vkcmd/runner/v1/ExecAction.js';
import type { HttpGetAction as _vkcmd_runner_v1_HttpGetAction, HttpGetAction__Output as _vkcmd_runner_v1_HttpGetAction__Output } from '../../../vkcmd/runner/v1/HttpGetAction.js';
import type { TcpSocketAction as _vkcmd_runner_v1_TcpSocketAction, TcpSocketAction__Output as _vkcmd_runner_v1_TcpSocketAction__Output } from '../../../vkcmd/runner/v1/TcpSocketAction.js';
import type { GrpcAction as _vkcmd_runner_v1_GrpcAction, GrpcAction__Output as _vkcmd_runner_v1_GrpcAction__Output } from '../../../vkcmd/runner/v1/GrpcAction.js';
import type { SleepAction as _vkcmd_runner_v1_SleepAction, SleepAction__Output as _vkcmd_runner_v1_SleepAction__Output } from '../../../vkcmd/runner/v1/SleepAction.js';

export interface Handler {
  'exec'?: (_vkcmd_runner_v1_ExecAction | null);
  'httpGet'?: (_vkcmd_runner_v1_HttpGetAction | null);
  'tcpSocket'?: (_vkcmd_runner_v1_TcpSocketAction | null);
  'grpc'?: (_vkcmd_runner_v1_GrpcAction | null);
  'sleep'?: (_vkcmd_runner_v1_SleepAction | null);
  'error'?: (string);
  'action'?: "exec"|"httpGet"|"tcpSocket"|"grpc"|"sleep";
}

export interface Handler__Output {
  'exec'?: (_vkcmd_runner_v1_ExecAction__Output | null);
  'httpGet'?: (_vkcmd_runner_v1_HttpGetAction__Output | null);
  'tcpSocket'?: (_vkcmd_runner_v1_TcpSocketAction__Output | null);
  'grpc'?: (_vkcmd_runner_v1_GrpcAction__Output | null);
  'sleep'?: (_vkcmd_runner_v1_SleepAction__Output | null);
  'error': (string);
  'action'?: "exec"|"httpGet"|"tcpSocket"|"grpc"|"sleep";
}
