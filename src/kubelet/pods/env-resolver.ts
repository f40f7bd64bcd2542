import type { WireContainer, WireEnvVarSource, WirePod } from '../kube/wire-types.js';
import { expandVars } from '../../common/expand-vars.js';
import { ContainerConfigError } from '../errors.js';
import type { FetchedObjects } from './object-refs.js';
import { intValue, milliValue, parseQuantity } from './quantity.js';

/** What env resolution needs besides the pod and the fetched objects. */
export interface EnvContext {
  hostIp: string;
  podIp: string;
  /** Node allocatable; limits default to it, as the kubelet does for the downward API. */
  allocatable: { cpu: string; memory: string; 'ephemeral-storage': string };
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The container's environment as the kubelet builds it
 * (makeEnvironmentVariables): envFrom first, then env in order with `$(VAR)`
 * expansion of `value` against what is defined so far. A later definition of
 * a name replaces the value but keeps the first position. Throws
 * ContainerConfigError with the kubelet's message for a missing object or key.
 */
export function resolveEnv(
  pod: WirePod,
  container: WireContainer,
  objects: FetchedObjects,
  ctx: EnvContext,
): Array<{ name: string; value: string }> {
  const ns = pod.metadata?.namespace ?? '';
  const env = new Map<string, string>();
  const fail = (message: string): never => {
    throw new ContainerConfigError(message, [container.name]);
  };

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = objects.configMaps.get(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        fail(`configmap "${name}" not found`);
      }
      for (const key of Object.keys(cm?.data ?? {}).sort()) {
        if (!ENV_NAME.test(prefix + key)) continue;
        env.set(prefix + key, cm?.data?.[key] ?? '');
      }
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const secret = objects.secrets.get(name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        fail(`secret "${name}" not found`);
      }
      for (const key of Object.keys(secret?.data ?? {}).sort()) {
        if (!ENV_NAME.test(prefix + key)) continue;
        env.set(prefix + key, decodeBase64(secret?.data?.[key] ?? ''));
      }
    }
  }

  for (const e of container.env ?? []) {
    if (e.value !== undefined && e.value !== '') {
      env.set(
        e.name,
        expandVars(e.value, (n) => env.get(n)),
      );
      continue;
    }
    if (!e.valueFrom) {
      env.set(e.name, '');
      continue;
    }
    const value = valueFrom(e.valueFrom, pod, container, ns, objects, ctx, fail);
    if (value !== undefined) env.set(e.name, value);
  }
  return [...env].map(([name, value]) => ({ name, value }));
}

function valueFrom(
  source: WireEnvVarSource,
  pod: WirePod,
  container: WireContainer,
  ns: string,
  objects: FetchedObjects,
  ctx: EnvContext,
  fail: (message: string) => never,
): string | undefined {
  if (source.configMapKeyRef) {
    const { name = '', key, optional } = source.configMapKeyRef;
    const cm = objects.configMaps.get(name);
    if (!cm) return optional ? undefined : fail(`configmap "${name}" not found`);
    const value = cm.data?.[key];
    if (value === undefined)
      return optional ? undefined : fail(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    return value;
  }
  if (source.secretKeyRef) {
    const { name = '', key, optional } = source.secretKeyRef;
    const secret = objects.secrets.get(name);
    if (!secret) return optional ? undefined : fail(`secret "${name}" not found`);
    const value = secret.data?.[key];
    if (value === undefined)
      return optional ? undefined : fail(`couldn't find key ${key} in Secret ${ns}/${name}`);
    return decodeBase64(value);
  }
  if (source.fieldRef) {
    try {
      return fieldRefValue(source.fieldRef.fieldPath, pod, ctx);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  if (source.resourceFieldRef) {
    const ref = source.resourceFieldRef;
    let target = container;
    if (ref.containerName) {
      const named = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
        (c) => c.name === ref.containerName,
      );
      if (!named) return fail(`container ${ref.containerName} not found`);
      target = named;
    }
    try {
      return resourceFieldValue(ref.resource, ref.divisor, target, ctx);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  return undefined;
}

/** The downward API's field paths (podFieldSelectorRuntimeValue + ExtractFieldPathAsString). */
export function fieldRefValue(
  fieldPath: string,
  pod: WirePod,
  ctx: Pick<EnvContext, 'hostIp' | 'podIp'>,
): string {
  switch (fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIp;
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIp;
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels ?? {});
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations ?? {});
  }
  const sub = /^(metadata\.labels|metadata\.annotations)\['(.*)'\]$/.exec(fieldPath);
  if (sub) {
    const map = sub[1] === 'metadata.labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[sub[2] ?? ''] ?? '';
  }
  if (/\['.*'\]$/.test(fieldPath)) throw new Error(`fieldPath "${fieldPath}" does not support subscript`);
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** FormatMap of the downward API: sorted `key="value"` lines, Go-quoted. */
export function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

/** ExtractContainerResourceValue with limits defaulted to node allocatable. */
export function resourceFieldValue(
  resource: string,
  divisor: string | undefined,
  container: WireContainer,
  ctx: Pick<EnvContext, 'allocatable'>,
): string {
  const div = divisor === undefined || parseQuantity(divisor) === 0 ? '1' : divisor;
  const limits = { ...ctx.allocatable, ...(container.resources?.limits ?? {}) } as Record<string, string>;
  const requests = (container.resources?.requests ?? {}) as Record<string, string>;
  const [kind, name] = resource.split('.', 2) as [string, string | undefined];
  const list = kind === 'limits' ? limits : kind === 'requests' ? requests : undefined;
  if (!list || (name !== 'cpu' && name !== 'memory' && name !== 'ephemeral-storage')) {
    throw new Error(`unsupported container resource : ${resource}`);
  }
  const quantity = list[name] ?? '0';
  if (name === 'cpu') return String(Math.ceil(milliValue(quantity) / milliValue(div)));
  return String(Math.ceil(intValue(quantity) / intValue(div)));
}

export function decodeBase64(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}
