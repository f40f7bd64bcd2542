// Original file: proto/vkcmd/runner/v1/runner.proto


export interface VolumeMount {
  'name'?: (string);
  'mountPath'?: (string);
  'subPath'?: (string);
  'readOnly'?: (boolean);
}

export interface VolumeMount__Output {
  'name': (string);
  'mountPath': (string);
  'subPath': (string);
  'readOnly': (boolean);
}
