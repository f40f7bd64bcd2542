import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from the compiled location dist/test/e2e/support. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const TOOLS_BIN = path.join(REPO_ROOT, '.tools', 'bin');
export const KUBECTL = path.join(TOOLS_BIN, 'kubectl');
export const GRPCURL = path.join(TOOLS_BIN, 'grpcurl');
export const RUNNER_BIN = path.join(REPO_ROOT, 'bin', 'vk-cmd-runner');
export const KUBELET_BIN = path.join(REPO_ROOT, 'bin', 'vk-cmd-kubelet');
