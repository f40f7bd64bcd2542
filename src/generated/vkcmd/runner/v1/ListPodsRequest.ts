// Original file: proto/vkcmd/runner/v1/runner.proto


export interface ListPodsRequest {
}

export interface ListPodsRequest__Output {
}
