// Original file: proto/vkcmd/runner/v1/runner.proto


export interface ExecExit {
  'exitCode'?: (number);
  'signal'?: (number);
  'message'?: (string);
}

export interface ExecExit__Output {
  'exitCode': (number);
  'signal': (number);
  'message': (string);
}
