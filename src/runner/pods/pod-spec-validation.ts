import type { Container__Output } from '../../generated/vkcmd/runner/v1/Container.js';
import type { PodSpec__Output } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { InvalidInputError } from '../../common/errors.js';
import { mountNamedByImage } from '../files/script-resolution.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const UID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ENV_NAME = /^[^=\0]+$/;

/** True for an RFC 1123 label (container, volume and namespace names). */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** True for an RFC 1123 subdomain (pod names). */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length > 0 && value.length <= 253 && value.split('.').every((l) => DNS_SUBDOMAIN_LABEL.test(l))
  );
}

/** The effective restart policy; empty means Never. */
export function restartPolicyOf(spec: Pick<PodSpec__Output, 'restartPolicy'>): RestartPolicy {
  return spec.restartPolicy === 'Always' || spec.restartPolicy === 'OnFailure' ? spec.restartPolicy : 'Never';
}

function fail(field: string, problem: string): never {
  throw new InvalidInputError(`${field}: ${problem}`);
}

function noNul(field: string, value: string): void {
  if (value.includes('\0')) fail(field, 'must not contain a NUL byte');
}

function validateContainer(c: Container__Output, field: string, volumes: Set<string>): void {
  if (!c.name) fail(`${field}.name`, 'must not be empty');
  if (!isDnsLabel(c.name))
    fail(
      `${field}.name`,
      `"${c.name}" must be a DNS label (lowercase a-z, 0-9 and "-", at most 63 characters)`,
    );
  noNul(`${field}.image`, c.image);
  c.command.forEach((v, i) => noNul(`${field}.command[${i}]`, v));
  c.args.forEach((v, i) => noNul(`${field}.args[${i}]`, v));
  c.env.forEach((e, i) => {
    if (!ENV_NAME.test(e.name))
      fail(`${field}.env[${i}].name`, `"${e.name}" must be non-empty without "=" or NUL`);
    noNul(`${field}.env[${i}].value`, e.value);
  });
  c.volumeMounts.forEach((m, i) => {
    const f = `${field}.volumeMounts[${i}]`;
    if (!m.name) fail(`${f}.name`, 'must not be empty');
    if (!volumes.has(m.name)) fail(`${f}.name`, `"${m.name}" names no volume of the pod`);
    if (m.mountPath === '') fail(`${f}.mountPath`, 'must not be empty');
  });
  if (c.command.length === 0 && mountNamedByImage(c) === undefined) {
    fail(
      `${field}.command`,
      c.image
        ? `must not be empty when image "${c.image}" names no volumeMount (there is no script to run)`
        : 'must not be empty when there is no image naming a volumeMount (nothing to run)',
    );
  }
}

/**
 * Checks the structure of a CreatePod request: identity, names, references,
 * modes and that each container has something to run. Paths are checked later
 * (volume-plan.ts) because a bad path is a set-up failure reported on the pod,
 * not a malformed request. Pure; throws InvalidInputError naming the field.
 */
export function validatePodSpec(spec: PodSpec__Output | null | undefined): PodSpec__Output {
  if (!spec) fail('pod', 'must be set');
  if (!spec.uid) fail('pod.uid', 'must not be empty');
  if (!UID.test(spec.uid))
    fail('pod.uid', `"${spec.uid}" must be 1-128 characters of A-Z, a-z, 0-9, ".", "_", "-"`);
  if (!spec.namespace) fail('pod.namespace', 'must not be empty');
  if (!isDnsLabel(spec.namespace)) fail('pod.namespace', `"${spec.namespace}" must be a DNS label`);
  if (!spec.name) fail('pod.name', 'must not be empty');
  if (!isDnsSubdomain(spec.name)) fail('pod.name', `"${spec.name}" must be a DNS subdomain`);
  if (!['', 'Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) {
    fail('pod.restartPolicy', `"${spec.restartPolicy}" must be Always, OnFailure or Never`);
  }
  if (spec.containers.length === 0) fail('pod.containers', 'must hold at least one container');

  const volumes = new Set<string>();
  spec.volumes.forEach((v, i) => {
    const f = `pod.volumes[${i}]`;
    if (!isDnsLabel(v.name)) fail(`${f}.name`, `"${v.name}" must be a DNS label`);
    if (volumes.has(v.name)) fail(`${f}.name`, `"${v.name}" is used by another volume`);
    volumes.add(v.name);
    const data = v.source === 'configMap' ? v.configMap : v.source === 'secret' ? v.secret : undefined;
    if (v.source === undefined || (v.source !== 'emptyDir' && !data)) {
      fail(f, 'must set one of configMap, secret or emptyDir');
    }
    if (!data) return;
    const df = `${f}.${v.source}`;
    if (data.defaultMode !== undefined && (data.defaultMode < 0 || data.defaultMode > 0o777)) {
      fail(`${df}.defaultMode`, `${data.defaultMode} must be between 0 and 0777 (511)`);
    }
    data.items.forEach((item, j) => {
      if (!item.key) fail(`${df}.items[${j}].key`, 'must not be empty');
      if (!Object.prototype.hasOwnProperty.call(data.data, item.key)) {
        fail(
          `${df}.items[${j}].key`,
          `"${item.key}" is not a key of ${v.source} "${data.sourceName || v.name}"`,
        );
      }
      if (!item.path) fail(`${df}.items[${j}].path`, 'must not be empty');
      if (item.mode !== undefined && (item.mode < 0 || item.mode > 0o777)) {
        fail(`${df}.items[${j}].mode`, `${item.mode} must be between 0 and 0777 (511)`);
      }
    });
  });

  const names = new Set<string>();
  const all: Array<[Container__Output, string]> = [
    ...spec.initContainers.map((c, i): [Container__Output, string] => [c, `pod.initContainers[${i}]`]),
    ...spec.containers.map((c, i): [Container__Output, string] => [c, `pod.containers[${i}]`]),
  ];
  for (const [c, field] of all) {
    validateContainer(c, field, volumes);
    if (names.has(c.name)) fail(`${field}.name`, `"${c.name}" is used by another container of the pod`);
    names.add(c.name);
  }
  return spec;
}
