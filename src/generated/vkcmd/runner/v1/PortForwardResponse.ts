// Original file: proto/vkcmd/runner/v1/runner.proto


export interface PortForwardResponse {
  'connected'?: (boolean);
  'data'?: (Buffer | Uint8Array | string);
  'msg'?: "connected"|"data";
}

export interface PortForwardResponse__Output {
  'connected'?: (boolean);
  'data'?: (Buffer);
  'msg'?: "connected"|"data";
}
