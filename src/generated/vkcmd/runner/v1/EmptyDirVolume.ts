// Original file: proto/vkcmd/runner/v1/runner.proto


export interface EmptyDirVolume {
}

export interface EmptyDirVolume__Output {
}
