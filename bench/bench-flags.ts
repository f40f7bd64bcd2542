/**
 * Command-line flags of `make bench`: pure parsing, no IO. `--quick` swaps in
 * small sizes; explicit size flags win over it wherever they appear.
 */

export const SCENARIOS = [
  'latency',
  'contended',
  'hugepod',
  'burst',
  'footprint',
  'runner',
  'exec',
  'probes',
  'exec-api',
  'fleet',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** Scenarios that run without naming them; `exec`, `probes`, `exec-api` and `fleet` run only when --scenarios names them. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = [
  'latency',
  'contended',
  'hugepod',
  'burst',
  'footprint',
  'runner',
];
/** Scenarios that drive a private runner alone, with no control plane. */
export const RUNNER_ONLY_SCENARIOS: readonly ScenarioName[] = ['runner', 'exec', 'probes'];

export interface BenchFlags {
  scenarios: ScenarioName[];
  /** Pods created at `ratePerSecond` in the latency scenario. */
  latencyPods: number;
  ratePerSecond: number;
  /** Pods created at `ratePerSecond` in the contended scenario, while the burners run. */
  contendedPods: number;
  /** Containers of the one huge pod the hugepod scenario starts beside the paced lifecycle. */
  hugePodContainers: number;
  /** CPU burner processes in the contended scenario; undefined = twice the CPU count. */
  burners: number | undefined;
  burstPods: number;
  /** Requests in flight while creating or deleting burst and footprint pods. */
  concurrency: number;
  footprintPods: number;
  footprintSeconds: number;
  runnerPods: number;
  /** Long-sleeping pods the exec scenario runs its Exec calls in, round robin. */
  execPods: number;
  /** Exec calls of `true`, run once one at a time and once 8 at a time. */
  execCalls: number;
  /** PortForward connections, each echoing 64 KiB, in the exec scenario. */
  forwardConnections: number;
  /** Size of the single large PortForward transfer, in MiB (also `kubectl port-forward`'s in exec-api). */
  forwardMib: number;
  /** Sequential `kubectl exec` runs, and as many reference runs, in the exec-api scenario. */
  apiExecRuns: number;
  /** Pods with a readiness (exec) and a liveness (httpGet) probe in the probes scenario. */
  probePods: number;
  /** Length of each CPU window of the probes scenario (with and without probes). */
  probeSeconds: number;
  /** Nodes served by one fleet kubelet, each by a real vk-cmd-runner process that dials in (0: skip). */
  fleetNodes: number;
  /** Nodes served by one fleet kubelet, each by a light in-process runner of the bench (0: skip). */
  fleetLightNodes: number;
  /**
   * Wait between all nodes Ready and the fleet's idle window: the nodes'
   * first scrapes and the kubelet's code warming up, read as a row of its own.
   */
  fleetSettleSeconds: number;
  /** Idle window of the fleet scenario (no pods: leases and node status only). */
  fleetIdleSeconds: number;
  /** Short pods per node of the fleet's real round, created at --rate spread over the nodes (0: skip). */
  fleetPodsPerNode: number;
  /** Leave spec.nodeName empty and let kube-scheduler bind the pods. */
  viaScheduler: boolean;
  quick: boolean;
  /** Log verbosity of the runner and kubelet (0 = their production default). */
  logVerbosity: number;
  /** When set, the runner and kubelet write V8 CPU profiles into this folder. */
  cpuProfDir: string | undefined;
  /** Extra Node.js flags of the fleet's kubelet (e.g. --perf-basic-prof, so `perf` names JavaScript frames). */
  fleetKubeletNodeFlags: string[];
  /** Where the JSON result goes; empty = bench/results/. */
  resultsDir: string | undefined;
}

export const DEFAULT_FLAGS: Readonly<BenchFlags> = {
  scenarios: [...DEFAULT_SCENARIOS],
  latencyPods: 600,
  ratePerSecond: 20,
  contendedPods: 400,
  hugePodContainers: 1000,
  burners: undefined,
  burstPods: 1000,
  concurrency: 32,
  footprintPods: 1000,
  footprintSeconds: 60,
  runnerPods: 200,
  execPods: 20,
  execCalls: 200,
  forwardConnections: 200,
  forwardMib: 64,
  apiExecRuns: 50,
  probePods: 200,
  probeSeconds: 30,
  fleetNodes: 100,
  fleetLightNodes: 1000,
  fleetSettleSeconds: 60,
  fleetIdleSeconds: 60,
  fleetPodsPerNode: 10,
  viaScheduler: false,
  quick: false,
  logVerbosity: 0,
  cpuProfDir: undefined,
  fleetKubeletNodeFlags: [],
  resultsDir: undefined,
};

/** Sizes for a smoke run of about a minute. */
export const QUICK_SIZES: Readonly<Partial<BenchFlags>> = {
  latencyPods: 60,
  contendedPods: 40,
  hugePodContainers: 100,
  burstPods: 100,
  footprintPods: 100,
  footprintSeconds: 10,
  runnerPods: 50,
  execPods: 4,
  execCalls: 40,
  forwardConnections: 40,
  forwardMib: 8,
  apiExecRuns: 10,
  probePods: 20,
  probeSeconds: 5,
  fleetNodes: 10,
  fleetLightNodes: 50,
  fleetSettleSeconds: 5,
  fleetIdleSeconds: 10,
  fleetPodsPerNode: 2,
};

export class BenchFlagError extends Error {
  override readonly name = 'BenchFlagError';
}

export type ParsedBenchArgs = { kind: 'help' } | { kind: 'run'; flags: BenchFlags };

type NumericFlag =
  | 'latencyPods'
  | 'ratePerSecond'
  | 'contendedPods'
  | 'hugePodContainers'
  | 'burners'
  | 'burstPods'
  | 'concurrency'
  | 'footprintPods'
  | 'footprintSeconds'
  | 'runnerPods'
  | 'execPods'
  | 'execCalls'
  | 'forwardConnections'
  | 'forwardMib'
  | 'apiExecRuns'
  | 'probePods'
  | 'probeSeconds'
  | 'fleetNodes'
  | 'fleetLightNodes'
  | 'fleetSettleSeconds'
  | 'fleetIdleSeconds'
  | 'fleetPodsPerNode'
  | 'logVerbosity';

const NUMERIC: Record<string, { key: NumericFlag; min: number; integer: boolean }> = {
  'latency-pods': { key: 'latencyPods', min: 1, integer: true },
  rate: { key: 'ratePerSecond', min: 0.01, integer: false },
  'contended-pods': { key: 'contendedPods', min: 1, integer: true },
  'huge-pod-containers': { key: 'hugePodContainers', min: 1, integer: true },
  burners: { key: 'burners', min: 0, integer: true },
  'burst-pods': { key: 'burstPods', min: 1, integer: true },
  concurrency: { key: 'concurrency', min: 1, integer: true },
  'footprint-pods': { key: 'footprintPods', min: 1, integer: true },
  'footprint-seconds': { key: 'footprintSeconds', min: 1, integer: false },
  'runner-pods': { key: 'runnerPods', min: 1, integer: true },
  'exec-pods': { key: 'execPods', min: 1, integer: true },
  'exec-calls': { key: 'execCalls', min: 1, integer: true },
  'forward-connections': { key: 'forwardConnections', min: 1, integer: true },
  'forward-mib': { key: 'forwardMib', min: 1, integer: true },
  'api-exec-runs': { key: 'apiExecRuns', min: 1, integer: true },
  'probe-pods': { key: 'probePods', min: 1, integer: true },
  'probe-seconds': { key: 'probeSeconds', min: 1, integer: false },
  'fleet-nodes': { key: 'fleetNodes', min: 0, integer: true },
  'fleet-light-nodes': { key: 'fleetLightNodes', min: 0, integer: true },
  'fleet-settle-seconds': { key: 'fleetSettleSeconds', min: 0, integer: false },
  'fleet-idle-seconds': { key: 'fleetIdleSeconds', min: 1, integer: false },
  'fleet-pods-per-node': { key: 'fleetPodsPerNode', min: 0, integer: true },
  'log-v': { key: 'logVerbosity', min: 0, integer: true },
};

/** Parses argv (without node and the script); throws BenchFlagError naming the bad flag. */
export function parseBenchArgs(argv: readonly string[]): ParsedBenchArgs {
  const explicit: Partial<BenchFlags> = {};
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new BenchFlagError(`unexpected argument "${arg}"; flags start with --`);
    const name = match[1]!;
    const takeValue = (): string => {
      if (match[2] !== undefined) return match[2];
      const next = argv[i + 1];
      if (next === undefined) throw new BenchFlagError(`--${name}: missing value`);
      i++;
      return next;
    };
    if (name === 'help' || name === 'h') return { kind: 'help' };
    if (name === 'quick') {
      quick = true;
    } else if (name === 'via-scheduler') {
      explicit.viaScheduler = true;
    } else if (name === 'scenarios') {
      explicit.scenarios = parseScenarios(takeValue());
    } else if (name === 'cpu-prof') {
      explicit.cpuProfDir = nonEmpty(name, takeValue());
    } else if (name === 'fleet-kubelet-node-flags') {
      explicit.fleetKubeletNodeFlags = nonEmpty(name, takeValue()).split(/\s+/).filter(Boolean);
    } else if (name === 'results-dir') {
      explicit.resultsDir = nonEmpty(name, takeValue());
    } else if (NUMERIC[name]) {
      const spec = NUMERIC[name];
      explicit[spec.key] = parseNumber(name, takeValue(), spec.min, spec.integer);
    } else {
      throw new BenchFlagError(`unknown flag --${name}; see --help`);
    }
  }
  const flags: BenchFlags = {
    ...DEFAULT_FLAGS,
    scenarios: [...DEFAULT_FLAGS.scenarios],
    ...(quick ? QUICK_SIZES : {}),
    ...explicit,
    quick,
  };
  return { kind: 'run', flags };
}

function nonEmpty(name: string, value: string): string {
  if (value === '') throw new BenchFlagError(`--${name}: must not be empty`);
  return value;
}

function parseNumber(name: string, text: string, min: number, integer: boolean): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new BenchFlagError(`--${name}: "${text}" is not a number`);
  if (integer && !Number.isInteger(value))
    throw new BenchFlagError(`--${name}: "${text}" is not a whole number`);
  if (value < min) throw new BenchFlagError(`--${name}: must be at least ${min}`);
  return value;
}

/** Comma-separated scenario names, deduplicated, in the order given. */
export function parseScenarios(text: string): ScenarioName[] {
  const names: ScenarioName[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new BenchFlagError(`--scenarios: unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
    }
    if (!names.includes(name as ScenarioName)) names.push(name as ScenarioName);
  }
  if (names.length === 0) throw new BenchFlagError('--scenarios: name at least one scenario');
  return names;
}

export const HELP_TEXT = `Usage: node dist/bench/bench.js [flags]   (make bench BENCH_ARGS="...")

Benchmarks vk-cmd on a local control plane with a real runner and kubelet and
writes bench/results/<date>-<commit>.json. Reuses a running control plane when
VK_CMD_E2E_CLUSTER_DIR names one; otherwise starts and stops its own.

Flags:
  --scenarios LIST        comma-separated: ${SCENARIOS.join(',')}
                          (default: ${DEFAULT_SCENARIOS.join(',')})
  --latency-pods N        pods created at --rate in the latency scenario (default 600)
  --rate N                pods per second for the latency, contended and runner scenarios (default 20)
  --contended-pods N      pods created at --rate while CPU burners run (default 400)
  --huge-pod-containers N containers of the one pod the hugepod scenario starts beside the
                          paced lifecycle of --latency-pods pods (default 1000)
  --burners N             busy-loop processes at nice 0 in the contended scenario (default 2 x nproc)
  --burst-pods N          pods created at once in the burst scenario (default 1000)
  --concurrency N         create/delete requests in flight for burst and footprint (default 32)
  --footprint-pods N      long-running pods held for the footprint scenario (default 1000)
  --footprint-seconds N   idle window over which RSS and CPU are sampled (default 60)
  --runner-pods N         pods created over gRPC in the runner-only scenario (default 200)
  --exec-pods N           long-sleeping pods the exec scenario execs into (default 20)
  --exec-calls N          Exec calls of \`true\`, sequential then 8 in parallel (default 200)
  --forward-connections N PortForward connections echoing 64 KiB each (default 200)
  --forward-mib N         size of the one large PortForward transfer in MiB (default 64)
  --api-exec-runs N       sequential kubectl exec runs, and reference runs, in exec-api (default 50)
  --probe-pods N          pods with an exec readiness and httpGet liveness probe (default 200)
  --probe-seconds N       CPU window with probes, and the idle window without (default 30)
  --fleet-nodes N         fleet: nodes on one kubelet, each a real runner process dialling in (default 100; 0 skips)
  --fleet-light-nodes N   fleet: nodes on one kubelet, each a light in-process runner (default 1000; 0 skips)
  --fleet-settle-seconds N fleet: wait from all nodes Ready to the idle window, its CPU read apart (default 60)
  --fleet-idle-seconds N  fleet: idle window with no pods over which CPU and API requests are counted (default 60)
  --fleet-pods-per-node N fleet: short pods per node of the real round, at --rate spread over the nodes (default 10)
  --fleet-kubelet-node-flags "FLAGS"  fleet: extra Node.js flags of its kubelet (e.g. --perf-basic-prof for perf record)
  --via-scheduler         let kube-scheduler bind pods instead of setting spec.nodeName
  --quick                 about a minute: ${Object.entries(QUICK_SIZES)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ')}
  --log-v N               runner and kubelet log verbosity (default 0)
  --cpu-prof DIR          write V8 CPU profiles of the runner and kubelet into DIR
  --results-dir DIR       where the JSON result goes (default bench/results)
  -h, --help              show this help
`;
