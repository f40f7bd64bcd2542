import type { SecurityContext__Output } from '../../generated/vkcmd/runner/v1/SecurityContext.js';
import { capabilityMask, capabilityNames, DEFAULT_CAPABILITIES } from './capabilities.js';
import type { LaunchAbilities, LaunchSecurity, NoteSink, RunnerIdentity } from './security-types.js';

/**
 * The capabilities part of decideSecurity: a privileged container keeps
 * every capability the runner has; otherwise the default set with add and
 * drop applied, limited to what the runner holds (`launch.capabilities`,
 * and `launch.ambientCapabilities` for what a non-root `uid` was given),
 * when the launch can limit them. What cannot be granted is noted; a drop
 * that cannot be honoured and an unknown name are refusals. Pure apart
 * from pushing to `refusals`, calling `note` and setting `launch`.
 */
export function decideCapabilities(
  s: SecurityContext__Output,
  runner: RunnerIdentity,
  can: LaunchAbilities,
  refusals: string[],
  note: NoteSink,
  launch: LaunchSecurity,
  uid: number,
): void {
  const add = capabilityMask(s.capabilitiesAdd);
  const drop = capabilityMask(s.capabilitiesDrop);
  const unknown = [...add.unknown, ...drop.unknown];
  if (unknown.length > 0) refusals.push(`capabilities ${unknown.join(', ')} are not Linux capabilities`);
  if (s.privileged === true) {
    if (runner.capabilities === 0n)
      note(
        'privileged',
        `privileged: true grants nothing here: the runner runs as uid ${runner.uid} without capabilities, so the container has that user's rights only`,
        false,
      );
    return; // A privileged container keeps every capability the runner has.
  }
  if (runner.capabilities === 0n) {
    // Nothing to drop; nothing to grant.
    if (add.mask !== 0n)
      note(
        'capabilities.add',
        `capabilities.add ${s.capabilitiesAdd.join(', ')} cannot be granted: the runner runs as uid ${runner.uid} without capabilities`,
      );
    return;
  }
  const wanted = (capabilityMask(DEFAULT_CAPABILITIES).mask | add.mask) & ~drop.mask;
  if (can.limitCapabilities) {
    launch.capabilities = wanted & runner.capabilities;
    // A non-root uid loses its permitted set on exec; what it was explicitly given stays as ambient.
    const ambient = add.mask & launch.capabilities;
    if (uid !== 0 && ambient !== 0n) launch.ambientCapabilities = ambient;
    const lacking = wanted & ~runner.capabilities;
    if ((add.mask & lacking) !== 0n)
      note(
        'capabilities.add',
        `capabilities.add ${capabilityNames(add.mask & lacking).join(', ')} cannot be granted: the runner does not hold ${capabilityNames(add.mask & lacking).length === 1 ? 'it' : 'them'}`,
      );
    return;
  }
  if (drop.mask !== 0n) {
    refusals.push(
      `capabilities.drop ${s.capabilitiesDrop.join(', ')} cannot be honoured: the runner (uid ${runner.uid}) holds capabilities and cannot limit a container's (setpriv from util-linux is needed)`,
    );
    return;
  }
  note(
    'capabilities',
    `capabilities are not limited to the default set: the runner (uid ${runner.uid}) cannot limit them (setpriv from util-linux is needed), so the container has all of the runner's`,
  );
}
