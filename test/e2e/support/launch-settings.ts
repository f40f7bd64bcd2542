/*
 * How bin/vk-cmd-runner and bin/vk-cmd-kubelet start their processes: the
 * Node.js flags and environment of their shebangs. Node.js flags and malloc's
 * environment cannot be set once a process runs, so every launcher that runs
 * `node bin/...` (the end-to-end support, the benchmarks) takes them from here;
 * test/unit/docs/launcher-settings.test.ts holds them equal to the shebangs.
 * No imports: the runner-only benchmarks load this without the Kubernetes client.
 */

/** The Node.js flags bin/vk-cmd-runner's shebang gives the runner. */
export const RUNNER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=2',
  '--optimize-for-size',
  '--no-turbofan',
];
/** The Node.js flags bin/vk-cmd-kubelet's shebang gives the kubelet. */
export const KUBELET_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
/** The environment bin/vk-cmd-kubelet's shebang gives the kubelet (glibc malloc's settings). */
export const KUBELET_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};
/**
 * Set to 1, the kubelets started by the end-to-end support get glibc malloc's
 * defaults instead of KUBELET_ENV: only bench/decisions/kubelet-malloc.ts sets
 * it, to measure what the settings buy.
 */
export const MALLOC_DEFAULTS_ENV = 'VK_CMD_BENCH_MALLOC_DEFAULTS';

/** The environment the shebang would give the kubelet, or none under MALLOC_DEFAULTS_ENV=1. */
export function kubeletMallocEnv(): Readonly<Record<string, string>> {
  return process.env[MALLOC_DEFAULTS_ENV] === '1' ? {} : KUBELET_ENV;
}
