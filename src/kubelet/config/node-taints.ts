import { invalidSetting } from '../errors.js';
import { isLabelValue, isQualifiedName } from './validation.js';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface NodeTaint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

/** `KEY[=VALUE]:EFFECT`, as kubectl taint and --register-with-taints spell it. */
export function parseTaint(text: string): NodeTaint {
  const match = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text.trim());
  if (!match || !match[1]) {
    throw invalidSetting(
      '--taint',
      `"${text}" is not KEY[=VALUE]:EFFECT with EFFECT NoSchedule, PreferNoSchedule or NoExecute`,
    );
  }
  const key = match[1];
  const value = match[2];
  if (!isQualifiedName(key)) throw invalidSetting('--taint', `"${key}" is not a valid taint key`);
  if (value !== undefined && !isLabelValue(value))
    throw invalidSetting('--taint', `"${value}" is not a valid taint value`);
  return value === undefined || value === ''
    ? { key, effect: match[3] as TaintEffect }
    : { key, value, effect: match[3] as TaintEffect };
}

/** `k=v,k2=v2` items of --node-labels (repeatable). */
export function parseNodeLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of values.flatMap((v) => v.split(','))) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq === -1 ? item.trim() : item.slice(0, eq).trim();
    const value = eq === -1 ? '' : item.slice(eq + 1).trim();
    if (!isQualifiedName(key)) throw invalidSetting('--node-labels', `"${key}" is not a valid label key`);
    if (!isLabelValue(value)) throw invalidSetting('--node-labels', `"${value}" is not a valid label value`);
    labels[key] = value;
  }
  return labels;
}
