// Original file: proto/vkcmd/runner/v1/runner.proto


export interface ExecAction {
  'command'?: (string)[];
}

export interface ExecAction__Output {
  'command': (string)[];
}
