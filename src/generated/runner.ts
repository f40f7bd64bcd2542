import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddEphemeralContainerRequest as _vkcmd_runner_v1_AddEphemeralContainerRequest, AddEphemeralContainerRequest__Output as _vkcmd_runner_v1_AddEphemeralContainerRequest__Output } from './vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { AttachRequest as _vkcmd_runner_v1_AttachRequest, AttachRequest__Output as _vkcmd_runner_v1_AttachRequest__Output } from './vkcmd/runner/v1/AttachRequest.js';
import type { AttachStart as _vkcmd_runner_v1_AttachStart, AttachStart__Output as _vkcmd_runner_v1_AttachStart__Output } from './vkcmd/runner/v1/AttachStart.js';
import type { CommandFailure as _vkcmd_runner_v1_CommandFailure, CommandFailure__Output as _vkcmd_runner_v1_CommandFailure__Output } from './vkcmd/runner/v1/CommandFailure.js';
import type { Container as _vkcmd_runner_v1_Container, Container__Output as _vkcmd_runner_v1_Container__Output } from './vkcmd/runner/v1/Container.js';
import type { ContainerState as _vkcmd_runner_v1_ContainerState, ContainerState__Output as _vkcmd_runner_v1_ContainerState__Output } from './vkcmd/runner/v1/ContainerState.js';
import type { ContainerStats as _vkcmd_runner_v1_ContainerStats, ContainerStats__Output as _vkcmd_runner_v1_ContainerStats__Output } from './vkcmd/runner/v1/ContainerStats.js';
import type { ContainerStatus as _vkcmd_runner_v1_ContainerStatus, ContainerStatus__Output as _vkcmd_runner_v1_ContainerStatus__Output } from './vkcmd/runner/v1/ContainerStatus.js';
import type { CreatePodRequest as _vkcmd_runner_v1_CreatePodRequest, CreatePodRequest__Output as _vkcmd_runner_v1_CreatePodRequest__Output } from './vkcmd/runner/v1/CreatePodRequest.js';
import type { DataVolume as _vkcmd_runner_v1_DataVolume, DataVolume__Output as _vkcmd_runner_v1_DataVolume__Output } from './vkcmd/runner/v1/DataVolume.js';
import type { DeletePodRequest as _vkcmd_runner_v1_DeletePodRequest, DeletePodRequest__Output as _vkcmd_runner_v1_DeletePodRequest__Output } from './vkcmd/runner/v1/DeletePodRequest.js';
import type { DeletePodResponse as _vkcmd_runner_v1_DeletePodResponse, DeletePodResponse__Output as _vkcmd_runner_v1_DeletePodResponse__Output } from './vkcmd/runner/v1/DeletePodResponse.js';
import type { EmptyDirVolume as _vkcmd_runner_v1_EmptyDirVolume, EmptyDirVolume__Output as _vkcmd_runner_v1_EmptyDirVolume__Output } from './vkcmd/runner/v1/EmptyDirVolume.js';
import type { EnvVar as _vkcmd_runner_v1_EnvVar, EnvVar__Output as _vkcmd_runner_v1_EnvVar__Output } from './vkcmd/runner/v1/EnvVar.js';
import type { EventLoopDelay as _vkcmd_runner_v1_EventLoopDelay, EventLoopDelay__Output as _vkcmd_runner_v1_EventLoopDelay__Output } from './vkcmd/runner/v1/EventLoopDelay.js';
import type { ExecAction as _vkcmd_runner_v1_ExecAction, ExecAction__Output as _vkcmd_runner_v1_ExecAction__Output } from './vkcmd/runner/v1/ExecAction.js';
import type { ExecExit as _vkcmd_runner_v1_ExecExit, ExecExit__Output as _vkcmd_runner_v1_ExecExit__Output } from './vkcmd/runner/v1/ExecExit.js';
import type { ExecRequest as _vkcmd_runner_v1_ExecRequest, ExecRequest__Output as _vkcmd_runner_v1_ExecRequest__Output } from './vkcmd/runner/v1/ExecRequest.js';
import type { ExecResponse as _vkcmd_runner_v1_ExecResponse, ExecResponse__Output as _vkcmd_runner_v1_ExecResponse__Output } from './vkcmd/runner/v1/ExecResponse.js';
import type { ExecStart as _vkcmd_runner_v1_ExecStart, ExecStart__Output as _vkcmd_runner_v1_ExecStart__Output } from './vkcmd/runner/v1/ExecStart.js';
import type { GetLogsRequest as _vkcmd_runner_v1_GetLogsRequest, GetLogsRequest__Output as _vkcmd_runner_v1_GetLogsRequest__Output } from './vkcmd/runner/v1/GetLogsRequest.js';
import type { GetNodeInfoRequest as _vkcmd_runner_v1_GetNodeInfoRequest, GetNodeInfoRequest__Output as _vkcmd_runner_v1_GetNodeInfoRequest__Output } from './vkcmd/runner/v1/GetNodeInfoRequest.js';
import type { GetPodRequest as _vkcmd_runner_v1_GetPodRequest, GetPodRequest__Output as _vkcmd_runner_v1_GetPodRequest__Output } from './vkcmd/runner/v1/GetPodRequest.js';
import type { GetProbeMetricsRequest as _vkcmd_runner_v1_GetProbeMetricsRequest, GetProbeMetricsRequest__Output as _vkcmd_runner_v1_GetProbeMetricsRequest__Output } from './vkcmd/runner/v1/GetProbeMetricsRequest.js';
import type { GetRunnerHealthRequest as _vkcmd_runner_v1_GetRunnerHealthRequest, GetRunnerHealthRequest__Output as _vkcmd_runner_v1_GetRunnerHealthRequest__Output } from './vkcmd/runner/v1/GetRunnerHealthRequest.js';
import type { GetStatsRequest as _vkcmd_runner_v1_GetStatsRequest, GetStatsRequest__Output as _vkcmd_runner_v1_GetStatsRequest__Output } from './vkcmd/runner/v1/GetStatsRequest.js';
import type { GrpcAction as _vkcmd_runner_v1_GrpcAction, GrpcAction__Output as _vkcmd_runner_v1_GrpcAction__Output } from './vkcmd/runner/v1/GrpcAction.js';
import type { Handler as _vkcmd_runner_v1_Handler, Handler__Output as _vkcmd_runner_v1_Handler__Output } from './vkcmd/runner/v1/Handler.js';
import type { HttpGetAction as _vkcmd_runner_v1_HttpGetAction, HttpGetAction__Output as _vkcmd_runner_v1_HttpGetAction__Output } from './vkcmd/runner/v1/HttpGetAction.js';
import type { HttpHeader as _vkcmd_runner_v1_HttpHeader, HttpHeader__Output as _vkcmd_runner_v1_HttpHeader__Output } from './vkcmd/runner/v1/HttpHeader.js';
import type { KeyToPath as _vkcmd_runner_v1_KeyToPath, KeyToPath__Output as _vkcmd_runner_v1_KeyToPath__Output } from './vkcmd/runner/v1/KeyToPath.js';
import type { Lifecycle as _vkcmd_runner_v1_Lifecycle, Lifecycle__Output as _vkcmd_runner_v1_Lifecycle__Output } from './vkcmd/runner/v1/Lifecycle.js';
import type { ListPodsRequest as _vkcmd_runner_v1_ListPodsRequest, ListPodsRequest__Output as _vkcmd_runner_v1_ListPodsRequest__Output } from './vkcmd/runner/v1/ListPodsRequest.js';
import type { ListPodsResponse as _vkcmd_runner_v1_ListPodsResponse, ListPodsResponse__Output as _vkcmd_runner_v1_ListPodsResponse__Output } from './vkcmd/runner/v1/ListPodsResponse.js';
import type { LogChunk as _vkcmd_runner_v1_LogChunk, LogChunk__Output as _vkcmd_runner_v1_LogChunk__Output } from './vkcmd/runner/v1/LogChunk.js';
import type { NodeInfo as _vkcmd_runner_v1_NodeInfo, NodeInfo__Output as _vkcmd_runner_v1_NodeInfo__Output } from './vkcmd/runner/v1/NodeInfo.js';
import type { NodeStats as _vkcmd_runner_v1_NodeStats, NodeStats__Output as _vkcmd_runner_v1_NodeStats__Output } from './vkcmd/runner/v1/NodeStats.js';
import type { Pod as _vkcmd_runner_v1_Pod, Pod__Output as _vkcmd_runner_v1_Pod__Output } from './vkcmd/runner/v1/Pod.js';
import type { PodCommandRequest as _vkcmd_runner_v1_PodCommandRequest, PodCommandRequest__Output as _vkcmd_runner_v1_PodCommandRequest__Output } from './vkcmd/runner/v1/PodCommandRequest.js';
import type { PodCommandResponse as _vkcmd_runner_v1_PodCommandResponse, PodCommandResponse__Output as _vkcmd_runner_v1_PodCommandResponse__Output } from './vkcmd/runner/v1/PodCommandResponse.js';
import type { PodSpec as _vkcmd_runner_v1_PodSpec, PodSpec__Output as _vkcmd_runner_v1_PodSpec__Output } from './vkcmd/runner/v1/PodSpec.js';
import type { PodStats as _vkcmd_runner_v1_PodStats, PodStats__Output as _vkcmd_runner_v1_PodStats__Output } from './vkcmd/runner/v1/PodStats.js';
import type { PortForwardRequest as _vkcmd_runner_v1_PortForwardRequest, PortForwardRequest__Output as _vkcmd_runner_v1_PortForwardRequest__Output } from './vkcmd/runner/v1/PortForwardRequest.js';
import type { PortForwardResponse as _vkcmd_runner_v1_PortForwardResponse, PortForwardResponse__Output as _vkcmd_runner_v1_PortForwardResponse__Output } from './vkcmd/runner/v1/PortForwardResponse.js';
import type { PortForwardStart as _vkcmd_runner_v1_PortForwardStart, PortForwardStart__Output as _vkcmd_runner_v1_PortForwardStart__Output } from './vkcmd/runner/v1/PortForwardStart.js';
import type { Probe as _vkcmd_runner_v1_Probe, Probe__Output as _vkcmd_runner_v1_Probe__Output } from './vkcmd/runner/v1/Probe.js';
import type { ProbeCounter as _vkcmd_runner_v1_ProbeCounter, ProbeCounter__Output as _vkcmd_runner_v1_ProbeCounter__Output } from './vkcmd/runner/v1/ProbeCounter.js';
import type { ProbeMetrics as _vkcmd_runner_v1_ProbeMetrics, ProbeMetrics__Output as _vkcmd_runner_v1_ProbeMetrics__Output } from './vkcmd/runner/v1/ProbeMetrics.js';
import type { ProbeReport as _vkcmd_runner_v1_ProbeReport, ProbeReport__Output as _vkcmd_runner_v1_ProbeReport__Output } from './vkcmd/runner/v1/ProbeReport.js';
import type { RunnerClient as _vkcmd_runner_v1_RunnerClient, RunnerDefinition as _vkcmd_runner_v1_RunnerDefinition } from './vkcmd/runner/v1/Runner.js';
import type { RunnerHealth as _vkcmd_runner_v1_RunnerHealth, RunnerHealth__Output as _vkcmd_runner_v1_RunnerHealth__Output } from './vkcmd/runner/v1/RunnerHealth.js';
import type { SecurityContext as _vkcmd_runner_v1_SecurityContext, SecurityContext__Output as _vkcmd_runner_v1_SecurityContext__Output } from './vkcmd/runner/v1/SecurityContext.js';
import type { SecurityNote as _vkcmd_runner_v1_SecurityNote, SecurityNote__Output as _vkcmd_runner_v1_SecurityNote__Output } from './vkcmd/runner/v1/SecurityNote.js';
import type { SleepAction as _vkcmd_runner_v1_SleepAction, SleepAction__Output as _vkcmd_runner_v1_SleepAction__Output } from './vkcmd/runner/v1/SleepAction.js';
import type { StateRunning as _vkcmd_runner_v1_StateRunning, StateRunning__Output as _vkcmd_runner_v1_StateRunning__Output } from './vkcmd/runner/v1/StateRunning.js';
import type { StateTerminated as _vkcmd_runner_v1_StateTerminated, StateTerminated__Output as _vkcmd_runner_v1_StateTerminated__Output } from './vkcmd/runner/v1/StateTerminated.js';
import type { StateWaiting as _vkcmd_runner_v1_StateWaiting, StateWaiting__Output as _vkcmd_runner_v1_StateWaiting__Output } from './vkcmd/runner/v1/StateWaiting.js';
import type { Stats as _vkcmd_runner_v1_Stats, Stats__Output as _vkcmd_runner_v1_Stats__Output } from './vkcmd/runner/v1/Stats.js';
import type { StreamStatsRequest as _vkcmd_runner_v1_StreamStatsRequest, StreamStatsRequest__Output as _vkcmd_runner_v1_StreamStatsRequest__Output } from './vkcmd/runner/v1/StreamStatsRequest.js';
import type { StreamStatsResponse as _vkcmd_runner_v1_StreamStatsResponse, StreamStatsResponse__Output as _vkcmd_runner_v1_StreamStatsResponse__Output } from './vkcmd/runner/v1/StreamStatsResponse.js';
import type { TcpSocketAction as _vkcmd_runner_v1_TcpSocketAction, TcpSocketAction__Output as _vkcmd_runner_v1_TcpSocketAction__Output } from './vkcmd/runner/v1/TcpSocketAction.js';
import type { TerminalSize as _vkcmd_runner_v1_TerminalSize, TerminalSize__Output as _vkcmd_runner_v1_TerminalSize__Output } from './vkcmd/runner/v1/TerminalSize.js';
import type { Volume as _vkcmd_runner_v1_Volume, Volume__Output as _vkcmd_runner_v1_Volume__Output } from './vkcmd/runner/v1/Volume.js';
import type { VolumeMount as _vkcmd_runner_v1_VolumeMount, VolumeMount__Output as _vkcmd_runner_v1_VolumeMount__Output } from './vkcmd/runner/v1/VolumeMount.js';
import type { VolumeStats as _vkcmd_runner_v1_VolumeStats, VolumeStats__Output as _vkcmd_runner_v1_VolumeStats__Output } from './vkcmd/runner/v1/VolumeStats.js';
import type { WatchPodsEvent as _vkcmd_runner_v1_WatchPodsEvent, WatchPodsEvent__Output as _vkcmd_runner_v1_WatchPodsEvent__Output } from './vkcmd/runner/v1/WatchPodsEvent.js';
import type { WatchPodsRequest as _vkcmd_runner_v1_WatchPodsRequest, WatchPodsRequest__Output as _vkcmd_runner_v1_WatchPodsRequest__Output } from './vkcmd/runner/v1/WatchPodsRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  vkcmd: {
    runner: {
      v1: {
        AddEphemeralContainerRequest: MessageTypeDefinition<_vkcmd_runner_v1_AddEphemeralContainerRequest, _vkcmd_runner_v1_AddEphemeralContainerRequest__Output>
        AttachRequest: MessageTypeDefinition<_vkcmd_runner_v1_AttachRequest, _vkcmd_runner_v1_AttachRequest__Output>
        AttachStart: MessageTypeDefinition<_vkcmd_runner_v1_AttachStart, _vkcmd_runner_v1_AttachStart__Output>
        CommandFailure: MessageTypeDefinition<_vkcmd_runner_v1_CommandFailure, _vkcmd_runner_v1_CommandFailure__Output>
        Container: MessageTypeDefinition<_vkcmd_runner_v1_Container, _vkcmd_runner_v1_Container__Output>
        ContainerState: MessageTypeDefinition<_vkcmd_runner_v1_ContainerState, _vkcmd_runner_v1_ContainerState__Output>
        ContainerStats: MessageTypeDefinition<_vkcmd_runner_v1_ContainerStats, _vkcmd_runner_v1_ContainerStats__Output>
        ContainerStatus: MessageTypeDefinition<_vkcmd_runner_v1_ContainerStatus, _vkcmd_runner_v1_ContainerStatus__Output>
        CreatePodRequest: MessageTypeDefinition<_vkcmd_runner_v1_CreatePodRequest, _vkcmd_runner_v1_CreatePodRequest__Output>
        DataVolume: MessageTypeDefinition<_vkcmd_runner_v1_DataVolume, _vkcmd_runner_v1_DataVolume__Output>
        DeletePodRequest: MessageTypeDefinition<_vkcmd_runner_v1_DeletePodRequest, _vkcmd_runner_v1_DeletePodRequest__Output>
        DeletePodResponse: MessageTypeDefinition<_vkcmd_runner_v1_DeletePodResponse, _vkcmd_runner_v1_DeletePodResponse__Output>
        EmptyDirVolume: MessageTypeDefinition<_vkcmd_runner_v1_EmptyDirVolume, _vkcmd_runner_v1_EmptyDirVolume__Output>
        EnvVar: MessageTypeDefinition<_vkcmd_runner_v1_EnvVar, _vkcmd_runner_v1_EnvVar__Output>
        EventLoopDelay: MessageTypeDefinition<_vkcmd_runner_v1_EventLoopDelay, _vkcmd_runner_v1_EventLoopDelay__Output>
        ExecAction: MessageTypeDefinition<_vkcmd_runner_v1_ExecAction, _vkcmd_runner_v1_ExecAction__Output>
        ExecExit: MessageTypeDefinition<_vkcmd_runner_v1_ExecExit, _vkcmd_runner_v1_ExecExit__Output>
        ExecRequest: MessageTypeDefinition<_vkcmd_runner_v1_ExecRequest, _vkcmd_runner_v1_ExecRequest__Output>
        ExecResponse: MessageTypeDefinition<_vkcmd_runner_v1_ExecResponse, _vkcmd_runner_v1_ExecResponse__Output>
        ExecStart: MessageTypeDefinition<_vkcmd_runner_v1_ExecStart, _vkcmd_runner_v1_ExecStart__Output>
        GetLogsRequest: MessageTypeDefinition<_vkcmd_runner_v1_GetLogsRequest, _vkcmd_runner_v1_GetLogsRequest__Output>
        GetNodeInfoRequest: MessageTypeDefinition<_vkcmd_runner_v1_GetNodeInfoRequest, _vkcmd_runner_v1_GetNodeInfoRequest__Output>
        GetPodRequest: MessageTypeDefinition<_vkcmd_runner_v1_GetPodRequest, _vkcmd_runner_v1_GetPodRequest__Output>
        GetProbeMetricsRequest: MessageTypeDefinition<_vkcmd_runner_v1_GetProbeMetricsRequest, _vkcmd_runner_v1_GetProbeMetricsRequest__Output>
        GetRunnerHealthRequest: MessageTypeDefinition<_vkcmd_runner_v1_GetRunnerHealthRequest, _vkcmd_runner_v1_GetRunnerHealthRequest__Output>
        GetStatsRequest: MessageTypeDefinition<_vkcmd_runner_v1_GetStatsRequest, _vkcmd_runner_v1_GetStatsRequest__Output>
        GrpcAction: MessageTypeDefinition<_vkcmd_runner_v1_GrpcAction, _vkcmd_runner_v1_GrpcAction__Output>
        Handler: MessageTypeDefinition<_vkcmd_runner_v1_Handler, _vkcmd_runner_v1_Handler__Output>
        HttpGetAction: MessageTypeDefinition<_vkcmd_runner_v1_HttpGetAction, _vkcmd_runner_v1_HttpGetAction__Output>
        HttpHeader: MessageTypeDefinition<_vkcmd_runner_v1_HttpHeader, _vkcmd_runner_v1_HttpHeader__Output>
        KeyToPath: MessageTypeDefinition<_vkcmd_runner_v1_KeyToPath, _vkcmd_runner_v1_KeyToPath__Output>
        Lifecycle: MessageTypeDefinition<_vkcmd_runner_v1_Lifecycle, _vkcmd_runner_v1_Lifecycle__Output>
        ListPodsRequest: MessageTypeDefinition<_vkcmd_runner_v1_ListPodsRequest, _vkcmd_runner_v1_ListPodsRequest__Output>
        ListPodsResponse: MessageTypeDefinition<_vkcmd_runner_v1_ListPodsResponse, _vkcmd_runner_v1_ListPodsResponse__Output>
        LogChunk: MessageTypeDefinition<_vkcmd_runner_v1_LogChunk, _vkcmd_runner_v1_LogChunk__Output>
        LogStream: EnumTypeDefinition
        NodeInfo: MessageTypeDefinition<_vkcmd_runner_v1_NodeInfo, _vkcmd_runner_v1_NodeInfo__Output>
        NodeStats: MessageTypeDefinition<_vkcmd_runner_v1_NodeStats, _vkcmd_runner_v1_NodeStats__Output>
        Pod: MessageTypeDefinition<_vkcmd_runner_v1_Pod, _vkcmd_runner_v1_Pod__Output>
        PodCommandRequest: MessageTypeDefinition<_vkcmd_runner_v1_PodCommandRequest, _vkcmd_runner_v1_PodCommandRequest__Output>
        PodCommandResponse: MessageTypeDefinition<_vkcmd_runner_v1_PodCommandResponse, _vkcmd_runner_v1_PodCommandResponse__Output>
        PodSpec: MessageTypeDefinition<_vkcmd_runner_v1_PodSpec, _vkcmd_runner_v1_PodSpec__Output>
        PodStats: MessageTypeDefinition<_vkcmd_runner_v1_PodStats, _vkcmd_runner_v1_PodStats__Output>
        PortForwardRequest: MessageTypeDefinition<_vkcmd_runner_v1_PortForwardRequest, _vkcmd_runner_v1_PortForwardRequest__Output>
        PortForwardResponse: MessageTypeDefinition<_vkcmd_runner_v1_PortForwardResponse, _vkcmd_runner_v1_PortForwardResponse__Output>
        PortForwardStart: MessageTypeDefinition<_vkcmd_runner_v1_PortForwardStart, _vkcmd_runner_v1_PortForwardStart__Output>
        Probe: MessageTypeDefinition<_vkcmd_runner_v1_Probe, _vkcmd_runner_v1_Probe__Output>
        ProbeCounter: MessageTypeDefinition<_vkcmd_runner_v1_ProbeCounter, _vkcmd_runner_v1_ProbeCounter__Output>
        ProbeMetrics: MessageTypeDefinition<_vkcmd_runner_v1_ProbeMetrics, _vkcmd_runner_v1_ProbeMetrics__Output>
        ProbeReport: MessageTypeDefinition<_vkcmd_runner_v1_ProbeReport, _vkcmd_runner_v1_ProbeReport__Output>
        Runner: SubtypeConstructor<typeof grpc.Client, _vkcmd_runner_v1_RunnerClient> & { service: _vkcmd_runner_v1_RunnerDefinition }
        RunnerHealth: MessageTypeDefinition<_vkcmd_runner_v1_RunnerHealth, _vkcmd_runner_v1_RunnerHealth__Output>
        SecurityContext: MessageTypeDefinition<_vkcmd_runner_v1_SecurityContext, _vkcmd_runner_v1_SecurityContext__Output>
        SecurityNote: MessageTypeDefinition<_vkcmd_runner_v1_SecurityNote, _vkcmd_runner_v1_SecurityNote__Output>
        SleepAction: MessageTypeDefinition<_vkcmd_runner_v1_SleepAction, _vkcmd_runner_v1_SleepAction__Output>
        StateRunning: MessageTypeDefinition<_vkcmd_runner_v1_StateRunning, _vkcmd_runner_v1_StateRunning__Output>
        StateTerminated: MessageTypeDefinition<_vkcmd_runner_v1_StateTerminated, _vkcmd_runner_v1_StateTerminated__Output>
        StateWaiting: MessageTypeDefinition<_vkcmd_runner_v1_StateWaiting, _vkcmd_runner_v1_StateWaiting__Output>
        Stats: MessageTypeDefinition<_vkcmd_runner_v1_Stats, _vkcmd_runner_v1_Stats__Output>
        StreamStatsRequest: MessageTypeDefinition<_vkcmd_runner_v1_StreamStatsRequest, _vkcmd_runner_v1_StreamStatsRequest__Output>
        StreamStatsResponse: MessageTypeDefinition<_vkcmd_runner_v1_StreamStatsResponse, _vkcmd_runner_v1_StreamStatsResponse__Output>
        TcpSocketAction: MessageTypeDefinition<_vkcmd_runner_v1_TcpSocketAction, _vkcmd_runner_v1_TcpSocketAction__Output>
        TerminalSize: MessageTypeDefinition<_vkcmd_runner_v1_TerminalSize, _vkcmd_runner_v1_TerminalSize__Output>
        Volume: MessageTypeDefinition<_vkcmd_runner_v1_Volume, _vkcmd_runner_v1_Volume__Output>
        VolumeMount: MessageTypeDefinition<_vkcmd_runner_v1_VolumeMount, _vkcmd_runner_v1_VolumeMount__Output>
        VolumeStats: MessageTypeDefinition<_vkcmd_runner_v1_VolumeStats, _vkcmd_runner_v1_VolumeStats__Output>
        WatchEventType: EnumTypeDefinition
        WatchPodsEvent: MessageTypeDefinition<_vkcmd_runner_v1_WatchPodsEvent, _vkcmd_runner_v1_WatchPodsEvent__Output>
        WatchPodsRequest: MessageTypeDefinition<_vkcmd_runner_v1_WatchPodsRequest, _vkcmd_runner_v1_WatchPodsRequest__Output>
      }
    }
  }
}

