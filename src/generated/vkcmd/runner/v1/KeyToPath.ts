// Original file: proto/vkcmd/runner/v1/runner.proto


export interface KeyToPath {
  'key'?: (string);
  'path'?: (string);
  'mode'?: (number);
  '_mode'?: "mode";
}

export interface KeyToPath__Output {
  'key': (string);
  'path': (string);
  'mode'?: (number);
  '_mode'?: "mode";
}
