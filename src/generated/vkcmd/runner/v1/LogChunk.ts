// Original file: proto/vkcmd/runner/v1/runner.proto


export interface LogChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface LogChunk__Output {
  'data': (Buffer);
}
