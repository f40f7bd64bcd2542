// Original file: proto/vkcmd/runner/v1/runner.proto


export interface GetPodRequest {
  'uid'?: (string);
}

export interface GetPodRequest__Output {
  'uid': (string);
}
