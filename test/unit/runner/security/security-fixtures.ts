import { expect } from 'chai';
import type { SecurityContext__Output } from '../../../../src/generated/vkcmd/runner/v1/SecurityContext.js';
import { capabilityMask, DEFAULT_CAPABILITIES } from '../../../../src/runner/security/capabilities.js';
import {
  decideSecurity,
  emptySettings,
  type HostAccounts,
  type LaunchAbilities,
  type RunnerIdentity,
  type SecurityDecision,
} from '../../../../src/runner/security/security-decision.js';

/* Runners, launch abilities and host accounts for the decideSecurity table tests, and the table runner. */

export const pod = { name: 'p', namespace: 'ns', uid: 'u1' };
export const ALL_CAPS = 0x1fffeffffffn;
export const DEFAULT_MASK = capabilityMask(DEFAULT_CAPABILITIES).mask;

export const user: RunnerIdentity = { uid: 1000, gid: 1000, groups: [1000, 2000], capabilities: 0n };
export const root: RunnerIdentity = { uid: 0, gid: 0, groups: [0], capabilities: ALL_CAPS };
export const none: LaunchAbilities = {
  changeIds: false,
  limitCapabilities: false,
  noNewPrivs: false,
  chownFiles: false,
};
export const setpriv: LaunchAbilities = {
  changeIds: true,
  limitCapabilities: true,
  noNewPrivs: true,
  chownFiles: true,
};
export const userSetpriv: LaunchAbilities = {
  changeIds: false,
  limitCapabilities: false,
  noNewPrivs: true,
  chownFiles: true,
};
export const accounts: HostAccounts = {
  primaryGid: (uid) => (uid === 65534 ? 65534 : undefined),
  memberGroups: (uid) => (uid === 65534 ? [100] : []),
};

export function sc(over: Partial<SecurityContext__Output>): SecurityContext__Output {
  // The host namespaces are requested in every row but their own, so each row shows one field.
  return { ...emptySettings(), hostNetwork: true, hostPid: true, hostIpc: true, ...over };
}

export function decide(
  over: Partial<SecurityContext__Output>,
  runner: RunnerIdentity,
  can: LaunchAbilities,
): SecurityDecision {
  return decideSecurity(sc(over), 'c1', pod, runner, can, accounts);
}

export interface Row {
  name: string;
  settings: Partial<SecurityContext__Output>;
  runner: RunnerIdentity;
  can: LaunchAbilities;
  /** The refusal message, or undefined when the container runs. */
  refusal?: string | undefined;
  /** Fields noted (container and pod notes). */
  noted?: string[];
  launch?: SecurityDecision['launch'];
}

/** One `it` per row: the refusal, the fields noted (container then pod notes) and the launch settings. */
export function itDecides(rows: readonly Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      const d = decide(row.settings, row.runner, row.can);
      expect(d.refusal).to.equal(row.refusal);
      expect([...d.notes, ...d.podNotes].map((n) => n.field)).to.deep.equal(row.noted ?? []);
      if (row.launch) expect(d.launch).to.deep.equal(row.launch);
    });
  }
}
