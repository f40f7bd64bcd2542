// Original file: proto/vkcmd/runner/v1/runner.proto


export interface GrpcAction {
  'port'?: (number);
  'service'?: (string);
}

export interface GrpcAction__Output {
  'port': (number);
  'service': (string);
}
