import { DEFAULT_MASK, itDecides, none, root, setpriv, user, type Row } from './security-fixtures.js';

const rows: Row[] = [
  // Capabilities.
  {
    name: 'not privileged, root runner: the default set',
    settings: {},
    runner: root,
    can: setpriv,
    launch: { capabilities: DEFAULT_MASK, noNewPrivs: false },
  },
  {
    name: 'add and drop change the default set; CAP_ prefix and case do not matter',
    settings: {
      privileged: false,
      capabilitiesAdd: ['cap_net_admin'],
      capabilitiesDrop: ['NET_RAW', 'KILL'],
    },
    runner: root,
    can: setpriv,
    launch: {
      capabilities: (DEFAULT_MASK | (1n << 12n)) & ~((1n << 13n) | (1n << 5n)),
      noNewPrivs: false,
    },
  },
  {
    name: 'a non-root uid keeps its added capabilities as ambient ones',
    settings: { runAsUser: 65534, capabilitiesAdd: ['NET_ADMIN'] },
    runner: root,
    can: setpriv,
    launch: {
      identity: { uid: 65534, gid: 65534, groups: [65534, 100] },
      capabilities: DEFAULT_MASK | (1n << 12n),
      ambientCapabilities: 1n << 12n,
      noNewPrivs: false,
    },
  },
  {
    name: 'uid 0 keeps the whole bounding set: no ambient capabilities',
    settings: { runAsUser: 0, capabilitiesAdd: ['NET_ADMIN'] },
    runner: root,
    can: setpriv,
    launch: { capabilities: DEFAULT_MASK | (1n << 12n), noNewPrivs: false },
  },
  {
    name: 'drop ALL: no capabilities',
    settings: { capabilitiesDrop: ['ALL'] },
    runner: root,
    can: setpriv,
    launch: { capabilities: 0n, noNewPrivs: false },
  },
  {
    name: 'add of a capability the runner does not hold: noted',
    settings: { capabilitiesAdd: ['SYS_RESOURCE'] },
    runner: root,
    can: setpriv,
    noted: ['capabilities.add'],
    launch: { capabilities: DEFAULT_MASK, noNewPrivs: false },
  },
  {
    name: 'an unknown capability: refused',
    settings: { capabilitiesAdd: ['FLY'] },
    runner: root,
    can: setpriv,
    refusal: 'capabilities FLY are not Linux capabilities',
  },
  {
    name: 'privileged with a root runner: every capability the runner has',
    settings: { privileged: true },
    runner: root,
    can: setpriv,
    launch: { noNewPrivs: false },
  },
  {
    name: 'privileged with a non-root runner: nothing to grant, noted',
    settings: { privileged: true },
    runner: user,
    can: none,
    noted: ['privileged'],
  },
  {
    name: 'capabilities.add with a non-root runner: cannot be granted, noted',
    settings: { capabilitiesAdd: ['NET_ADMIN'] },
    runner: user,
    can: none,
    noted: ['capabilities.add'],
  },
  {
    name: 'capabilities.drop with a non-root runner: nothing to drop, honoured',
    settings: { capabilitiesDrop: ['ALL'] },
    runner: user,
    can: none,
    launch: { noNewPrivs: false },
  },
  {
    name: 'a root runner that cannot limit capabilities: noted',
    settings: {},
    runner: root,
    can: none,
    noted: ['capabilities'],
  },
  {
    name: 'drop with a root runner that cannot limit capabilities: refused',
    settings: { capabilitiesDrop: ['ALL'] },
    runner: root,
    can: none,
    refusal:
      "capabilities.drop ALL cannot be honoured: the runner (uid 0) holds capabilities and cannot limit a container's (setpriv from util-linux is needed)",
  },
];

describe('decideSecurity: capabilities', () => {
  itDecides(rows);
});
