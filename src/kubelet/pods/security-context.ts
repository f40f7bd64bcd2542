import type { WireContainer, WirePod } from '../kube/wire-types.js';
import type { SecurityContext } from '../../generated/vkcmd/runner/v1/SecurityContext.js';

/** The legacy per-container AppArmor annotation, still read by kubelets when the field is unset. */
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** seccompProfile and appArmorProfile as the API carries them. */
interface WireProfile {
  type?: string;
  localhostProfile?: string;
}

function profile(p: WireProfile | undefined): { type: string; localhost: string } | undefined {
  if (!p?.type) return undefined;
  return { type: p.type, localhost: p.localhostProfile ?? '' };
}

/** The annotation's value ("runtime/default", "localhost/<name>", "unconfined") as a profile. */
function appArmorFromAnnotation(value: string | undefined): { type: string; localhost: string } | undefined {
  if (value === undefined) return undefined;
  if (value === 'runtime/default') return { type: 'RuntimeDefault', localhost: '' };
  if (value === 'unconfined') return { type: 'Unconfined', localhost: '' };
  if (value.startsWith('localhost/'))
    return { type: 'Localhost', localhost: value.slice('localhost/'.length) };
  return { type: value, localhost: '' };
}

/**
 * The security settings a container runs with, as a kubelet computes them
 * (DetermineEffectiveSecurityContext): the container's securityContext
 * wins field by field over the pod's for runAsUser, runAsGroup,
 * runAsNonRoot, seLinuxOptions (whole), windowsOptions (per field),
 * seccompProfile and appArmorProfile; privileged, allowPrivilegeEscalation,
 * capabilities, readOnlyRootFilesystem and procMount exist only on the
 * container; supplementalGroups, fsGroup and sysctls and the host
 * namespaces only on the pod. AppArmor falls back to the legacy
 * annotation. Pure; always returns a message (the host namespaces are
 * always stated).
 */
export function effectiveSecurityContext(pod: WirePod, c: WireContainer): SecurityContext {
  const podSc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const out: SecurityContext = {
    hostNetwork: pod.spec?.hostNetwork === true,
    hostPid: pod.spec?.hostPID === true,
    hostIpc: pod.spec?.hostIPC === true,
    supplementalGroups: podSc.supplementalGroups ?? [],
    supplementalGroupsPolicy: podSc.supplementalGroupsPolicy ?? '',
    sysctls: (podSc.sysctls ?? []).map((s) => `${s.name}=${s.value}`),
    capabilitiesAdd: sc.capabilities?.add ?? [],
    capabilitiesDrop: sc.capabilities?.drop ?? [],
    procMount: sc.procMount ?? '',
  };
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  if (runAsUser !== undefined) out.runAsUser = runAsUser;
  const runAsGroup = sc.runAsGroup ?? podSc.runAsGroup;
  if (runAsGroup !== undefined) out.runAsGroup = runAsGroup;
  const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  if (runAsNonRoot !== undefined) out.runAsNonRoot = runAsNonRoot;
  if (podSc.fsGroup !== undefined) out.fsGroup = podSc.fsGroup;
  if (sc.privileged !== undefined) out.privileged = sc.privileged;
  if (sc.allowPrivilegeEscalation !== undefined) out.allowPrivilegeEscalation = sc.allowPrivilegeEscalation;
  if (sc.readOnlyRootFilesystem !== undefined) out.readOnlyRootFilesystem = sc.readOnlyRootFilesystem;

  const seccomp = profile(sc.seccompProfile) ?? profile(podSc.seccompProfile);
  if (seccomp) {
    out.seccompProfileType = seccomp.type;
    out.seccompLocalhostProfile = seccomp.localhost;
  }
  const appArmor =
    profile(sc.appArmorProfile) ??
    appArmorFromAnnotation(pod.metadata?.annotations?.[APPARMOR_ANNOTATION_PREFIX + c.name]) ??
    profile(podSc.appArmorProfile);
  if (appArmor) {
    out.appArmorProfileType = appArmor.type;
    out.appArmorLocalhostProfile = appArmor.localhost;
  }
  const se = sc.seLinuxOptions ?? podSc.seLinuxOptions;
  if (se && (se.user || se.role || se.type || se.level)) {
    out.seLinuxOptions = [se.user, se.role, se.type, se.level].map((x) => x ?? '').join(':');
  }
  // windowsOptions merge per field: the container's set fields over the pod's.
  const win = { ...(podSc.windowsOptions ?? {}), ...definedFields(sc.windowsOptions ?? {}) };
  const winSet = Object.entries(win)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k]) => k)
    .sort();
  if (winSet.length > 0) out.windowsOptions = winSet;
  if (win.hostProcess === true) out.windowsHostProcess = true;
  return out;
}

function definedFields<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
