// Original file: proto/vkcmd/runner/v1/runner.proto


export interface TcpSocketAction {
  'host'?: (string);
  'port'?: (number);
}

export interface TcpSocketAction__Output {
  'host': (string);
  'port': (number);
}
