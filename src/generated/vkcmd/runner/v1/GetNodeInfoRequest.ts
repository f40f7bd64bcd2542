// Original file: proto/vkcmd/runner/v1/runner.proto


export interface GetNodeInfoRequest {
}

export interface GetNodeInfoRequest__Output {
}
