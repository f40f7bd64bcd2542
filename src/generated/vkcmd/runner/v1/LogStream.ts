// Original file: proto/vkcmd/runner/v1/runner.proto

export const LogStream = {
  LOG_STREAM_ALL: 'LOG_STREAM_ALL',
  LOG_STREAM_STDOUT: 'LOG_STREAM_STDOUT',
  LOG_STREAM_STDERR: 'LOG_STREAM_STDERR',
} as const;

export type LogStream =
  | 'LOG_STREAM_ALL'
  | 0
  | 'LOG_STREAM_STDOUT'
  | 1
  | 'LOG_STREAM_STDERR'
  | 2

export type LogStream__Output = typeof LogStream[keyof typeof LogStream]
