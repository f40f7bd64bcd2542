import net from 'node:net';
import type { FlagCheck } from '../../common/flags/flag-spec.js';
import { isLabelValue } from './validation.js';

/* The checks of the kubelet's flag values that the flag types do not make (see FlagCheck). */

/** An IPv4 or IPv6 address. */
export const ipAddress: FlagCheck = (value) =>
  net.isIP(value) === 0 ? `"${value}" is not an IP address` : undefined;

/** HOST:PORT, the host a name, an IPv4 address or a bracketed IPv6 one (or empty), the port 0-65535. */
export const hostPort: FlagCheck = (value) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  return match && port <= 65535 ? undefined : `"${value}" is not HOST:PORT`;
};

/** FROM-TO, 1 <= FROM <= TO <= 65535. */
export const portRange: FlagCheck = (value) => {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(value);
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  return match && from >= 1 && from <= to && to <= 65535
    ? undefined
    : `"${value}" is not FROM-TO (1-65535, FROM <= TO)`;
};

/** A Kubernetes label value. */
export const labelValue: FlagCheck = (value) =>
  isLabelValue(value) ? undefined : `"${value}" is not a valid label value`;
