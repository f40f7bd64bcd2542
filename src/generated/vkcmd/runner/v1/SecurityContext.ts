// Original file: proto/vkcmd/runner/v1/runner.proto

import type { Long } from '@grpc/proto-loader';

export interface SecurityContext {
  'runAsUser'?: (number | string | Long);
  'runAsGroup'?: (number | string | Long);
  'runAsNonRoot'?: (boolean);
  'supplementalGroups'?: (number | string | Long)[];
  'supplementalGroupsPolicy'?: (string);
  'fsGroup'?: (number | string | Long);
  'privileged'?: (boolean);
  'allowPrivilegeEscalation'?: (boolean);
  'capabilitiesAdd'?: (string)[];
  'capabilitiesDrop'?: (string)[];
  'readOnlyRootFilesystem'?: (boolean);
  'seccompProfileType'?: (string);
  'seccompLocalhostProfile'?: (string);
  'appArmorProfileType'?: (string);
  'appArmorLocalhostProfile'?: (string);
  'seLinuxOptions'?: (string);
  'procMount'?: (string);
  'sysctls'?: (string)[];
  'windowsOptions'?: (string)[];
  'windowsHostProcess'?: (boolean);
  'hostNetwork'?: (boolean);
  'hostPid'?: (boolean);
  'hostIpc'?: (boolean);
  '_runAsUser'?: "runAsUser";
  '_runAsGroup'?: "runAsGroup";
  '_runAsNonRoot'?: "runAsNonRoot";
  '_fsGroup'?: "fsGroup";
  '_privileged'?: "privileged";
  '_allowPrivilegeEscalation'?: "allowPrivilegeEscalation";
  '_readOnlyRootFilesystem'?: "readOnlyRootFilesystem";
}

export interface SecurityContext__Output {
  'runAsUser'?: (number);
  'runAsGroup'?: (number);
  'runAsNonRoot'?: (boolean);
  'supplementalGroups': (number)[];
  'supplementalGroupsPolicy': (string);
  'fsGroup'?: (number);
  'privileged'?: (boolean);
  'allowPrivilegeEscalation'?: (boolean);
  'capabilitiesAdd': (string)[];
  'capabilitiesDrop': (string)[];
  'readOnlyRootFilesystem'?: (boolean);
  'seccompProfileType': (string);
  'seccompLocalhostProfile': (string);
  'appArmorProfileType': (string);
  'appArmorLocalhostProfile': (string);
  'seLinuxOptions': (string);
  'procMount': (string);
  'sysctls': (string)[];
  'windowsOptions': (string)[];
  'windowsHostProcess': (boolean);
  'hostNetwork': (boolean);
  'hostPid': (boolean);
  'hostIpc': (boolean);
  '_runAsUser'?: "runAsUser";
  '_runAsGroup'?: "runAsGroup";
  '_runAsNonRoot'?: "runAsNonRoot";
  '_fsGroup'?: "fsGroup";
  '_privileged'?: "privileged";
  '_allowPrivilegeEscalation'?: "allowPrivilegeEscalation";
  '_readOnlyRootFilesystem'?: "readOnlyRootFilesystem";
}
