import { STANDARD_FLAGS, type FlagTable } from '../../common/flags/flag-spec.js';
import { helpText } from '../../common/flags/help-text.js';
import { NODE_FLAGS } from './node-flags.js';
import { ORIGINAL_FLAGS } from './original-flags.js';
import { RUNNER_CONNECTION_FLAGS } from './runner-connection-flags.js';

/**
 * Every setting of the kubelet, in --help order: the original's variables and
 * flags, then vk-cmd's own. Parsing, help and the README check all read it;
 * kubelet-config.ts turns the values into a KubeletConfig.
 */
export const KUBELET_FLAGS = [
  ...ORIGINAL_FLAGS,
  ...RUNNER_CONNECTION_FLAGS,
  ...NODE_FLAGS,
  ...STANDARD_FLAGS,
] as const satisfies FlagTable;

/** The kubelet's --help text. */
export function kubeletHelpText(program = 'vk-cmd-kubelet'): string {
  return helpText(KUBELET_FLAGS, {
    program,
    about: ['Runs a Kubernetes node whose pods are process groups started by a vk-cmd runner.'],
  });
}
