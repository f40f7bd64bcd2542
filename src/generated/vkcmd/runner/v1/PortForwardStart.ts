// Original file: proto/vkcmd/runner/v1/runner.proto


export interface PortForwardStart {
  'uid'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'port'?: (number);
}

export interface PortForwardStart__Output {
  'uid': (string);
  'namespace': (string);
  'name': (string);
  'port': (number);
}
