// Original file: proto/vkcmd/runner/v1/runner.proto


export interface TerminalSize {
  'width'?: (number);
  'height'?: (number);
}

export interface TerminalSize__Output {
  'width': (number);
  'height': (number);
}
