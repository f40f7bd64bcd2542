// Original file: proto/vkcmd/runner/v1/runner.proto


export interface GetProbeMetricsRequest {
}

export interface GetProbeMetricsRequest__Output {
}
