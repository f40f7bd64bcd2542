// Original file: proto/vkcmd/runner/v1/runner.proto


export interface SecurityNote {
  'field'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'warning'?: (boolean);
}

export interface SecurityNote__Output {
  'field': (string);
  'reason': (string);
  'message': (string);
  'warning': (boolean);
}
