import type { SecurityContext__Output } from '../../generated/vkcmd/runner/v1/SecurityContext.js';
import type { NoteSink } from './security-types.js';

/**
 * The confinement part of decideSecurity: vk-cmd applies no seccomp
 * filter, AppArmor profile or SELinux context, so a runtime default is
 * noted and a Localhost profile refused (the container would run without
 * what it names); Windows options are noted, hostProcess refused. Pure
 * apart from pushing to `refusals` and calling `note`.
 */
export function decideProfiles(s: SecurityContext__Output, refusals: string[], note: NoteSink): void {
  const profiles = [
    {
      field: 'seccompProfile',
      what: 'seccomp filters',
      type: s.seccompProfileType,
      local: s.seccompLocalhostProfile,
    },
    {
      field: 'appArmorProfile',
      what: 'AppArmor profiles',
      type: s.appArmorProfileType,
      local: s.appArmorLocalhostProfile,
    },
  ];
  for (const p of profiles) {
    if (p.type === '' || p.type === 'Unconfined') continue;
    if (p.type === 'Localhost')
      refusals.push(
        `${p.field} Localhost ${JSON.stringify(p.local)} cannot be honoured: vk-cmd applies no ${p.what}`,
      );
    else note(p.field, `${p.field} ${p.type} is not applied: vk-cmd runs processes without ${p.what}`);
  }
  if (s.seLinuxOptions !== '')
    note(
      'seLinuxOptions',
      `seLinuxOptions ${s.seLinuxOptions} are not applied: processes keep the runner's SELinux context`,
    );
  if (s.windowsHostProcess)
    refusals.push('windowsOptions.hostProcess cannot be honoured: this is a Linux node');
  else if (s.windowsOptions.length > 0)
    note('windowsOptions', `windowsOptions (${s.windowsOptions.join(', ')}) do not apply on a Linux node`);
}
