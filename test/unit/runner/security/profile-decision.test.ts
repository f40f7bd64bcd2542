import { itDecides, none, user, type Row } from './security-fixtures.js';

const rows: Row[] = [
  // Fields with no equivalent here.
  {
    name: 'seccompProfile Unconfined: honoured',
    settings: { seccompProfileType: 'Unconfined' },
    runner: user,
    can: none,
  },
  {
    name: 'seccompProfile RuntimeDefault: noted',
    settings: { seccompProfileType: 'RuntimeDefault' },
    runner: user,
    can: none,
    noted: ['seccompProfile'],
  },
  {
    name: 'seccompProfile Localhost: refused',
    settings: { seccompProfileType: 'Localhost', seccompLocalhostProfile: 'profiles/a.json' },
    runner: user,
    can: none,
    refusal:
      'seccompProfile Localhost "profiles/a.json" cannot be honoured: vk-cmd applies no seccomp filters',
  },
  {
    name: 'appArmorProfile RuntimeDefault: noted',
    settings: { appArmorProfileType: 'RuntimeDefault' },
    runner: user,
    can: none,
    noted: ['appArmorProfile'],
  },
  {
    name: 'appArmorProfile Localhost: refused',
    settings: { appArmorProfileType: 'Localhost', appArmorLocalhostProfile: 'k8s-x' },
    runner: user,
    can: none,
    refusal: 'appArmorProfile Localhost "k8s-x" cannot be honoured: vk-cmd applies no AppArmor profiles',
  },
  {
    name: 'seLinuxOptions: noted',
    settings: { seLinuxOptions: ':::s0:c1,c2' },
    runner: user,
    can: none,
    noted: ['seLinuxOptions'],
  },
  {
    name: 'windowsOptions: noted',
    settings: { windowsOptions: ['runAsUserName'] },
    runner: user,
    can: none,
    noted: ['windowsOptions'],
  },
  {
    name: 'windowsOptions.hostProcess: refused',
    settings: { windowsOptions: ['hostProcess'], windowsHostProcess: true },
    runner: user,
    can: none,
    refusal: 'windowsOptions.hostProcess cannot be honoured: this is a Linux node',
  },
];

describe('decideSecurity: seccomp, AppArmor, SELinux and Windows options', () => {
  itDecides(rows);
});
