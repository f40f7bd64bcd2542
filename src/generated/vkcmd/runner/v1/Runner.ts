// Original file: proto/vkcmd/runner/v1/runner.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddEphemeralContainerRequest as _vkcmd_runner_v1_AddEphemeralContainerRequest, AddEphemeralContainerRequest__Output as _vkcmd_runner_v1_AddEphemeralContainerRequest__Output } from '../../../vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { AttachRequest as _vkcmd_runner_v1_AttachRequest, AttachRequest__Output as _vkcmd_runner_v1_AttachRequest__Output } from '../../../vkcmd/runner/v1/AttachRequest.js';
import type { CreatePodRequest as _vkcmd_runner_v1_CreatePodRequest, CreatePodRequest__Output as _vkcmd_runner_v1_CreatePodRequest__Output } from '../../../vkcmd/runner/v1/CreatePodRequest.js';
import type { DeletePodRequest as _vkcmd_runner_v1_DeletePodRequest, DeletePodRequest__Output as _vkcmd_runner_v1_DeletePodRequest__Output } from '../../../vkcmd/runner/v1/DeletePodRequest.js';
import type { DeletePodResponse as _vkcmd_runner_v1_DeletePodResponse, DeletePodResponse__Output as _vkcmd_runner_v1_DeletePodResponse__Output } from '../../../vkcmd/runner/v1/DeletePodResponse.js';
import type { ExecRequest as _vkcmd_runner_v1_ExecRequest, ExecRequest__Output as _vkcmd_runner_v1_ExecRequest__Output } from '../../../vkcmd/runner/v1/ExecRequest.js';
import type { ExecResponse as _vkcmd_runner_v1_ExecResponse, ExecResponse__Output as _vkcmd_runner_v1_ExecResponse__Output } from '../../../vkcmd/runner/v1/ExecResponse.js';
import type { GetLogsRequest as _vkcmd_runner_v1_GetLogsRequest, GetLogsRequest__Output as _vkcmd_runner_v1_GetLogsRequest__Output } from '../../../vkcmd/runner/v1/GetLogsRequest.js';
import type { GetNodeInfoRequest as _vkcmd_runner_v1_GetNodeInfoRequest, GetNodeInfoRequest__Output as _vkcmd_runner_v1_GetNodeInfoRequest__Output } from '../../../vkcmd/runner/v1/GetNodeInfoRequest.js';
import type { GetPodRequest as _vkcmd_runner_v1_GetPodRequest, GetPodRequest__Output as _vkcmd_runner_v1_GetPodRequest__Output } from '../../../vkcmd/runner/v1/GetPodRequest.js';
import type { GetProbeMetricsRequest as _vkcmd_runner_v1_GetProbeMetricsRequest, GetProbeMetricsRequest__Output as _vkcmd_runner_v1_GetProbeMetricsRequest__Output } from '../../../vkcmd/runner/v1/GetProbeMetricsRequest.js';
import type { GetRunnerHealthRequest as _vkcmd_runner_v1_GetRunnerHealthRequest, GetRunnerHealthRequest__Output as _vkcmd_runner_v1_GetRunnerHealthRequest__Output } from '../../../vkcmd/runner/v1/GetRunnerHealthRequest.js';
import type { GetStatsRequest as _vkcmd_runner_v1_GetStatsRequest, GetStatsRequest__Output as _vkcmd_runner_v1_GetStatsRequest__Output } from '../../../vkcmd/runner/v1/GetStatsRequest.js';
import type { ListPodsRequest as _vkcmd_runner_v1_ListPodsRequest, ListPodsRequest__Output as _vkcmd_runner_v1_ListPodsRequest__Output } from '../../../vkcmd/runner/v1/ListPodsRequest.js';
import type { ListPodsResponse as _vkcmd_runner_v1_ListPodsResponse, ListPodsResponse__Output as _vkcmd_runner_v1_ListPodsResponse__Output } from '../../../vkcmd/runner/v1/ListPodsResponse.js';
import type { LogChunk as _vkcmd_runner_v1_LogChunk, LogChunk__Output as _vkcmd_runner_v1_LogChunk__Output } from '../../../vkcmd/runner/v1/LogChunk.js';
import type { NodeInfo as _vkcmd_runner_v1_NodeInfo, NodeInfo__Output as _vkcmd_runner_v1_NodeInfo__Output } from '../../../vkcmd/runner/v1/NodeInfo.js';
import type { Pod as _vkcmd_runner_v1_Pod, Pod__Output as _vkcmd_runner_v1_Pod__Output } from '../../../vkcmd/runner/v1/Pod.js';
import type { PodCommandRequest as _vkcmd_runner_v1_PodCommandRequest, PodCommandRequest__Output as _vkcmd_runner_v1_PodCommandRequest__Output } from '../../../vkcmd/runner/v1/PodCommandRequest.js';
import type { PodCommandResponse as _vkcmd_runner_v1_PodCommandResponse, PodCommandResponse__Output as _vkcmd_runner_v1_PodCommandResponse__Output } from '../../../vkcmd/runner/v1/PodCommandResponse.js';
import type { PortForwardRequest as _vkcmd_runner_v1_PortForwardRequest, PortForwardRequest__Output as _vkcmd_runner_v1_PortForwardRequest__Output } from '../../../vkcmd/runner/v1/PortForwardRequest.js';
import type { PortForwardResponse as _vkcmd_runner_v1_PortForwardResponse, PortForwardResponse__Output as _vkcmd_runner_v1_PortForwardResponse__Output } from '../../../vkcmd/runner/v1/PortForwardResponse.js';
import type { ProbeMetrics as _vkcmd_runner_v1_ProbeMetrics, ProbeMetrics__Output as _vkcmd_runner_v1_ProbeMetrics__Output } from '../../../vkcmd/runner/v1/ProbeMetrics.js';
import type { RunnerHealth as _vkcmd_runner_v1_RunnerHealth, RunnerHealth__Output as _vkcmd_runner_v1_RunnerHealth__Output } from '../../../vkcmd/runner/v1/RunnerHealth.js';
import type { Stats as _vkcmd_runner_v1_Stats, Stats__Output as _vkcmd_runner_v1_Stats__Output } from '../../../vkcmd/runner/v1/Stats.js';
import type { StreamStatsRequest as _vkcmd_runner_v1_StreamStatsRequest, StreamStatsRequest__Output as _vkcmd_runner_v1_StreamStatsRequest__Output } from '../../../vkcmd/runner/v1/StreamStatsRequest.js';
import type { StreamStatsResponse as _vkcmd_runner_v1_StreamStatsResponse, StreamStatsResponse__Output as _vkcmd_runner_v1_StreamStatsResponse__Output } from '../../../vkcmd/runner/v1/StreamStatsResponse.js';
import type { WatchPodsEvent as _vkcmd_runner_v1_WatchPodsEvent, WatchPodsEvent__Output as _vkcmd_runner_v1_WatchPodsEvent__Output } from '../../../vkcmd/runner/v1/WatchPodsEvent.js';
import type { WatchPodsRequest as _vkcmd_runner_v1_WatchPodsRequest, WatchPodsRequest__Output as _vkcmd_runner_v1_WatchPodsRequest__Output } from '../../../vkcmd/runner/v1/WatchPodsRequest.js';

export interface RunnerClient extends grpc.Client {
  AddEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  AddEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  AddEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  AddEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  addEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  addEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  addEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  addEphemeralContainer(argument: _vkcmd_runner_v1_AddEphemeralContainerRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  
  Attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_AttachRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  Attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_AttachRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_AttachRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_AttachRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  
  CreatePod(argument: _vkcmd_runner_v1_CreatePodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  CreatePod(argument: _vkcmd_runner_v1_CreatePodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  CreatePod(argument: _vkcmd_runner_v1_CreatePodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  CreatePod(argument: _vkcmd_runner_v1_CreatePodRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  createPod(argument: _vkcmd_runner_v1_CreatePodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  createPod(argument: _vkcmd_runner_v1_CreatePodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  createPod(argument: _vkcmd_runner_v1_CreatePodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  createPod(argument: _vkcmd_runner_v1_CreatePodRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  
  DeletePod(argument: _vkcmd_runner_v1_DeletePodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  DeletePod(argument: _vkcmd_runner_v1_DeletePodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  DeletePod(argument: _vkcmd_runner_v1_DeletePodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  DeletePod(argument: _vkcmd_runner_v1_DeletePodRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  deletePod(argument: _vkcmd_runner_v1_DeletePodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  deletePod(argument: _vkcmd_runner_v1_DeletePodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  deletePod(argument: _vkcmd_runner_v1_DeletePodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  deletePod(argument: _vkcmd_runner_v1_DeletePodRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_DeletePodResponse__Output>): grpc.ClientUnaryCall;
  
  Exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_ExecRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  Exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_ExecRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  exec(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_ExecRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  exec(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_ExecRequest, _vkcmd_runner_v1_ExecResponse__Output>;
  
  GetLogs(argument: _vkcmd_runner_v1_GetLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_LogChunk__Output>;
  GetLogs(argument: _vkcmd_runner_v1_GetLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_LogChunk__Output>;
  getLogs(argument: _vkcmd_runner_v1_GetLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_LogChunk__Output>;
  getLogs(argument: _vkcmd_runner_v1_GetLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_LogChunk__Output>;
  
  GetNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  GetNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  getNodeInfo(argument: _vkcmd_runner_v1_GetNodeInfoRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_NodeInfo__Output>): grpc.ClientUnaryCall;
  
  GetPod(argument: _vkcmd_runner_v1_GetPodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  GetPod(argument: _vkcmd_runner_v1_GetPodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  GetPod(argument: _vkcmd_runner_v1_GetPodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  GetPod(argument: _vkcmd_runner_v1_GetPodRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  getPod(argument: _vkcmd_runner_v1_GetPodRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  getPod(argument: _vkcmd_runner_v1_GetPodRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  getPod(argument: _vkcmd_runner_v1_GetPodRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  getPod(argument: _vkcmd_runner_v1_GetPodRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Pod__Output>): grpc.ClientUnaryCall;
  
  GetProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  GetProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  GetProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  GetProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  getProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  getProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  getProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  getProbeMetrics(argument: _vkcmd_runner_v1_GetProbeMetricsRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_ProbeMetrics__Output>): grpc.ClientUnaryCall;
  
  GetRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  GetRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  GetRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  GetRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  getRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  getRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  getRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  getRunnerHealth(argument: _vkcmd_runner_v1_GetRunnerHealthRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_RunnerHealth__Output>): grpc.ClientUnaryCall;
  
  GetStats(argument: _vkcmd_runner_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _vkcmd_runner_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _vkcmd_runner_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _vkcmd_runner_v1_GetStatsRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  getStats(argument: _vkcmd_runner_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  getStats(argument: _vkcmd_runner_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  getStats(argument: _vkcmd_runner_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  getStats(argument: _vkcmd_runner_v1_GetStatsRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_Stats__Output>): grpc.ClientUnaryCall;
  
  ListPods(argument: _vkcmd_runner_v1_ListPodsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  ListPods(argument: _vkcmd_runner_v1_ListPodsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  ListPods(argument: _vkcmd_runner_v1_ListPodsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  ListPods(argument: _vkcmd_runner_v1_ListPodsRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  listPods(argument: _vkcmd_runner_v1_ListPodsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  listPods(argument: _vkcmd_runner_v1_ListPodsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  listPods(argument: _vkcmd_runner_v1_ListPodsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  listPods(argument: _vkcmd_runner_v1_ListPodsRequest, callback: grpc.requestCallback<_vkcmd_runner_v1_ListPodsResponse__Output>): grpc.ClientUnaryCall;
  
  PodCommands(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PodCommandRequest, _vkcmd_runner_v1_PodCommandResponse__Output>;
  PodCommands(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PodCommandRequest, _vkcmd_runner_v1_PodCommandResponse__Output>;
  podCommands(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PodCommandRequest, _vkcmd_runner_v1_PodCommandResponse__Output>;
  podCommands(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PodCommandRequest, _vkcmd_runner_v1_PodCommandResponse__Output>;
  
  PortForward(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PortForwardRequest, _vkcmd_runner_v1_PortForwardResponse__Output>;
  PortForward(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PortForwardRequest, _vkcmd_runner_v1_PortForwardResponse__Output>;
  portForward(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PortForwardRequest, _vkcmd_runner_v1_PortForwardResponse__Output>;
  portForward(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_PortForwardRequest, _vkcmd_runner_v1_PortForwardResponse__Output>;
  
  StreamStats(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_StreamStatsRequest, _vkcmd_runner_v1_StreamStatsResponse__Output>;
  StreamStats(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_StreamStatsRequest, _vkcmd_runner_v1_StreamStatsResponse__Output>;
  streamStats(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_StreamStatsRequest, _vkcmd_runner_v1_StreamStatsResponse__Output>;
  streamStats(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vkcmd_runner_v1_StreamStatsRequest, _vkcmd_runner_v1_StreamStatsResponse__Output>;
  
  WatchPods(argument: _vkcmd_runner_v1_WatchPodsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_WatchPodsEvent__Output>;
  WatchPods(argument: _vkcmd_runner_v1_WatchPodsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_WatchPodsEvent__Output>;
  watchPods(argument: _vkcmd_runner_v1_WatchPodsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_WatchPodsEvent__Output>;
  watchPods(argument: _vkcmd_runner_v1_WatchPodsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vkcmd_runner_v1_WatchPodsEvent__Output>;
  
}

export interface RunnerHandlers extends grpc.UntypedServiceImplementation {
  AddEphemeralContainer: grpc.handleUnaryCall<_vkcmd_runner_v1_AddEphemeralContainerRequest__Output, _vkcmd_runner_v1_Pod>;
  
  Attach: grpc.handleBidiStreamingCall<_vkcmd_runner_v1_AttachRequest__Output, _vkcmd_runner_v1_ExecResponse>;
  
  CreatePod: grpc.handleUnaryCall<_vkcmd_runner_v1_CreatePodRequest__Output, _vkcmd_runner_v1_Pod>;
  
  DeletePod: grpc.handleUnaryCall<_vkcmd_runner_v1_DeletePodRequest__Output, _vkcmd_runner_v1_DeletePodResponse>;
  
  Exec: grpc.handleBidiStreamingCall<_vkcmd_runner_v1_ExecRequest__Output, _vkcmd_runner_v1_ExecResponse>;
  
  GetLogs: grpc.handleServerStreamingCall<_vkcmd_runner_v1_GetLogsRequest__Output, _vkcmd_runner_v1_LogChunk>;
  
  GetNodeInfo: grpc.handleUnaryCall<_vkcmd_runner_v1_GetNodeInfoRequest__Output, _vkcmd_runner_v1_NodeInfo>;
  
  GetPod: grpc.handleUnaryCall<_vkcmd_runner_v1_GetPodRequest__Output, _vkcmd_runner_v1_Pod>;
  
  GetProbeMetrics: grpc.handleUnaryCall<_vkcmd_runner_v1_GetProbeMetricsRequest__Output, _vkcmd_runner_v1_ProbeMetrics>;
  
  GetRunnerHealth: grpc.handleUnaryCall<_vkcmd_runner_v1_GetRunnerHealthRequest__Output, _vkcmd_runner_v1_RunnerHealth>;
  
  GetStats: grpc.handleUnaryCall<_vkcmd_runner_v1_GetStatsRequest__Output, _vkcmd_runner_v1_Stats>;
  
  ListPods: grpc.handleUnaryCall<_vkcmd_runner_v1_ListPodsRequest__Output, _vkcmd_runner_v1_ListPodsResponse>;
  
  PodCommands: grpc.handleBidiStreamingCall<_vkcmd_runner_v1_PodCommandRequest__Output, _vkcmd_runner_v1_PodCommandResponse>;
  
  PortForward: grpc.handleBidiStreamingCall<_vkcmd_runner_v1_PortForwardRequest__Output, _vkcmd_runner_v1_PortForwardResponse>;
  
  StreamStats: grpc.handleBidiStreamingCall<_vkcmd_runner_v1_StreamStatsRequest__Output, _vkcmd_runner_v1_StreamStatsResponse>;
  
  WatchPods: grpc.handleServerStreamingCall<_vkcmd_runner_v1_WatchPodsRequest__Output, _vkcmd_runner_v1_WatchPodsEvent>;
  
}

export interface RunnerDefinition extends grpc.ServiceDefinition {
  AddEphemeralContainer: MethodDefinition<_vkcmd_runner_v1_AddEphemeralContainerRequest, _vkcmd_runner_v1_Pod, _vkcmd_runner_v1_AddEphemeralContainerRequest__Output, _vkcmd_runner_v1_Pod__Output>
  Attach: MethodDefinition<_vkcmd_runner_v1_AttachRequest, _vkcmd_runner_v1_ExecResponse, _vkcmd_runner_v1_AttachRequest__Output, _vkcmd_runner_v1_ExecResponse__Output>
  CreatePod: MethodDefinition<_vkcmd_runner_v1_CreatePodRequest, _vkcmd_runner_v1_Pod, _vkcmd_runner_v1_CreatePodRequest__Output, _vkcmd_runner_v1_Pod__Output>
  DeletePod: MethodDefinition<_vkcmd_runner_v1_DeletePodRequest, _vkcmd_runner_v1_DeletePodResponse, _vkcmd_runner_v1_DeletePodRequest__Output, _vkcmd_runner_v1_DeletePodResponse__Output>
  Exec: MethodDefinition<_vkcmd_runner_v1_ExecRequest, _vkcmd_runner_v1_ExecResponse, _vkcmd_runner_v1_ExecRequest__Output, _vkcmd_runner_v1_ExecResponse__Output>
  GetLogs: MethodDefinition<_vkcmd_runner_v1_GetLogsRequest, _vkcmd_runner_v1_LogChunk, _vkcmd_runner_v1_GetLogsRequest__Output, _vkcmd_runner_v1_LogChunk__Output>
  GetNodeInfo: MethodDefinition<_vkcmd_runner_v1_GetNodeInfoRequest, _vkcmd_runner_v1_NodeInfo, _vkcmd_runner_v1_GetNodeInfoRequest__Output, _vkcmd_runner_v1_NodeInfo__Output>
  GetPod: MethodDefinition<_vkcmd_runner_v1_GetPodRequest, _vkcmd_runner_v1_Pod, _vkcmd_runner_v1_GetPodRequest__Output, _vkcmd_runner_v1_Pod__Output>
  GetProbeMetrics: MethodDefinition<_vkcmd_runner_v1_GetProbeMetricsRequest, _vkcmd_runner_v1_ProbeMetrics, _vkcmd_runner_v1_GetProbeMetricsRequest__Output, _vkcmd_runner_v1_ProbeMetrics__Output>
  GetRunnerHealth: MethodDefinition<_vkcmd_runner_v1_GetRunnerHealthRequest, _vkcmd_runner_v1_RunnerHealth, _vkcmd_runner_v1_GetRunnerHealthRequest__Output, _vkcmd_runner_v1_RunnerHealth__Output>
  GetStats: MethodDefinition<_vkcmd_runner_v1_GetStatsRequest, _vkcmd_runner_v1_Stats, _vkcmd_runner_v1_GetStatsRequest__Output, _vkcmd_runner_v1_Stats__Output>
  ListPods: MethodDefinition<_vkcmd_runner_v1_ListPodsRequest, _vkcmd_runner_v1_ListPodsResponse, _vkcmd_runner_v1_ListPodsRequest__Output, _vkcmd_runner_v1_ListPodsResponse__Output>
  PodCommands: MethodDefinition<_vkcmd_runner_v1_PodCommandRequest, _vkcmd_runner_v1_PodCommandResponse, _vkcmd_runner_v1_PodCommandRequest__Output, _vkcmd_runner_v1_PodCommandResponse__Output>
  PortForward: MethodDefinition<_vkcmd_runner_v1_PortForwardRequest, _vkcmd_runner_v1_PortForwardResponse, _vkcmd_runner_v1_PortForwardRequest__Output, _vkcmd_runner_v1_PortForwardResponse__Output>
  StreamStats: MethodDefinition<_vkcmd_runner_v1_StreamStatsRequest, _vkcmd_runner_v1_StreamStatsResponse, _vkcmd_runner_v1_StreamStatsRequest__Output, _vkcmd_runner_v1_StreamStatsResponse__Output>
  WatchPods: MethodDefinition<_vkcmd_runner_v1_WatchPodsRequest, _vkcmd_runner_v1_WatchPodsEvent, _vkcmd_runner_v1_WatchPodsRequest__Output, _vkcmd_runner_v1_WatchPodsEvent__Output>
}
