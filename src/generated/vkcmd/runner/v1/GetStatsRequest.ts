// Original file: proto/vkcmd/runner/v1/runner.proto


export interface GetStatsRequest {
}

export interface GetStatsRequest__Output {
}
