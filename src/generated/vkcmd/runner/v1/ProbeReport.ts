// Original file: proto/vkcmd/runner/v1/runner.proto


export interface ProbeReport {
  'probeType'?: (string);
  'failures'?: (number);
  'lastFailure'?: (string);
  'errors'?: (number);
  'lastError'?: (string);
  'warnings'?: (number);
  'lastWarning'?: (string);
}

export interface ProbeReport__Output {
  'probeType': (string);
  'failures': (number);
  'lastFailure': (string);
  'errors': (number);
  'lastError': (string);
  'warnings': (number);
  'lastWarning': (string);
}
