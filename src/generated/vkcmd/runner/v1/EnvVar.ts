// Original file: proto/vkcmd/runner/v1/runner.proto


export interface EnvVar {
  'name'?: (string);
  'value'?: (string);
}

export interface EnvVar__Output {
  'name': (string);
  'value': (string);
}
