// Original file: proto/vkcmd/runner/v1/runner.proto


export interface HttpHeader {
  'name'?: (string);
  'value'?: (string);
}

export interface HttpHeader__Output {
  'name': (string);
  'value': (string);
}
