// Original file: proto/vkcmd/runner/v1/runner.proto


export interface CommandFailure {
  'code'?: (number);
  'message'?: (string);
}

export interface CommandFailure__Output {
  'code': (number);
  'message': (string);
}
