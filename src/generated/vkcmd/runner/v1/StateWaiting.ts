// Original file: proto/vkcmd/runner/v1/runner.proto


export interface StateWaiting {
  'reason'?: (string);
  'message'?: (string);
}

export interface StateWaiting__Output {
  'reason': (string);
  'message': (string);
}
