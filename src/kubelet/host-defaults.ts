import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import { errnoCode } from '../common/errors.js';
import type { ConfigHost } from './config/kubelet-config.js';

/** The first non-internal IPv4 address of the host, else loopback. */
export function firstHostIpv4(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

/** The real host behind configuration parsing. */
export function realConfigHost(): ConfigHost {
  return {
    checkFile: (p) => {
      try {
        accessSync(p, constants.R_OK);
        return 'readable';
      } catch (err) {
        return errnoCode(err) === 'ENOENT' ? 'missing' : 'unreadable';
      }
    },
    homeDir: os.homedir(),
    hostname: os.hostname(),
    defaultPodIp: firstHostIpv4,
  };
}
