// Original file: proto/vkcmd/runner/v1/runner.proto


export interface GetRunnerHealthRequest {
}

export interface GetRunnerHealthRequest__Output {
}
