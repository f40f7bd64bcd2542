// What the kubelet's Node.js memory flags cost in CPU (src/kubelet/README.md,
// "Cost"): the per-event work of a pod's status path (a watch line decoded,
// the status computed from the runner's pod and compared with the API's, the
// patch body written) over 200 pods held in a map, run in a fresh process
// under each set of flags. CPU is the process's utime+stime over the loop;
// scavenges and mark-compacts are counted by a GC observer; RSS is read at
// the end, before any forced collection.
// Usage (after `make build`): node dist/bench/decisions/kubelet-gc-flags.js [--events 60000]
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { WirePod, WirePodStatus } from '../../src/kubelet/kube/wire-types.js';
import type { Pod__Output } from '../../src/generated/vkcmd/runner/v1/Pod.js';
import { flagValue, printTable, repeat, row, runChild } from './measure-support.js';

const SELF = fileURLToPath(import.meta.url);
const PODS = 200;
const FLAG_SETS = [
  ['--max-semi-space-size=2', '--optimize-for-size'],
  ['--max-semi-space-size=2'],
  ['--max-semi-space-size=4'],
  ['--max-semi-space-size=8'],
];

interface GcResult {
  cpuMs: number;
  scavenges: number;
  markCompacts: number;
  rssMb: number;
}

async function child(events: number): Promise<GcResult> {
  const { computePodStatus } = await import('../../src/kubelet/pods/pod-status.js');
  const { podStatusMatcher } = await import('../../src/kubelet/pods/status-equality.js');
  const { WatchDecoder } = await import('../../src/kubelet/kube/watch-decoder.js');
  let scavenges = 0;
  let markCompacts = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
      else markCompacts++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const t0 = Date.now() - 5000;
  const time = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const pod = (i: number, status: WirePodStatus): WirePod => ({
    metadata: {
      name: `lat-${i}`,
      namespace: 'bench',
      uid: `uid-${i}`,
      resourceVersion: String(i),
      creationTimestamp: time(t0),
      labels: { 'vk-cmd.io/bench-scenario': 'latency' },
      managedFields: [
        {
          manager: 'bench',
          operation: 'Update',
          apiVersion: 'v1',
          time: time(t0),
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"c1"}': { '.': {}, 'f:image': {} } } } },
        },
      ],
    },
    spec: {
      containers: [{ name: 'c1', image: 'bench', command: ['sh', '-c', 'sleep 1'] }],
      restartPolicy: 'Never',
      nodeName: 'vk',
      tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
    },
    status,
  });
  const runnerPod = (i: number): Pod__Output => ({
    uid: `uid-${i}`,
    namespace: 'bench',
    name: `lat-${i}`,
    containerStatuses: [
      {
        name: 'c1',
        state: { state: 'running', running: { startedAtMs: t0 + 50 } },
        lastState: null,
        restartCount: 0,
        pgid: 100,
        image: 'bench',
        probeReports: [],
        stopReason: '',
        postStartFailed: false,
        preStopFailed: false,
        securityNotes: [],
      },
    ],
    initContainerStatuses: [],
    ephemeralContainerStatuses: [],
    securityNotes: [],
    createdAtMs: t0,
    deleting: false,
    revision: 3,
    restartPolicy: 'Never',
  });
  const cache = new Map<number, WirePod>();
  const decoder = new WatchDecoder();
  const start = process.cpuUsage();
  for (let i = 0; i < events; i++) {
    const k = i % PODS;
    const previous = cache.get(k) ?? pod(k, { phase: 'Pending' });
    const status = computePodStatus({
      pod: previous,
      runnerPod: runnerPod(k),
      hostIp: '10.0.0.5',
      nowMs: Date.now(),
      firstSeenMs: t0,
      ignoreRestartPolicy: false,
    });
    podStatusMatcher(status)(previous.status);
    const body = JSON.stringify({ metadata: { uid: `uid-${k}` }, status });
    const echoed = (JSON.parse(body) as { status: WirePodStatus }).status;
    const line = `${JSON.stringify({ type: 'MODIFIED', object: pod(k, echoed) })}\n`;
    const [event] = [...decoder.push(line.slice(0, 1000)), ...decoder.push(line.slice(1000))];
    const next = event!.object as WirePod;
    delete next.metadata!.managedFields;
    cache.set(k, next);
  }
  const used = process.cpuUsage(start);
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return {
    cpuMs: (used.user + used.system) / 1000,
    scavenges,
    markCompacts,
    rssMb: process.memoryUsage().rss / 2 ** 20,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    console.log(JSON.stringify(await child(Number(argv[1]))));
    return;
  }
  const events = Number(flagValue(argv, '--events', '60000'));
  const rows = [];
  for (const flags of FLAG_SETS) {
    const runs = await repeat(3, () => runChild<GcResult>(SELF, ['--child', String(events)], flags));
    const name = flags.join(' ');
    rows.push(
      row(`${name}: CPU per 1,000 events`, runs, (r) => (r.cpuMs * 1000) / events, 0, 'ms'),
      row(`${name}: scavenges`, runs, (r) => r.scavenges, 0, ''),
      row(`${name}: mark-compacts`, runs, (r) => r.markCompacts, 0, ''),
      row(`${name}: RSS at the end`, runs, (r) => r.rssMb, 0, 'MB'),
    );
  }
  printTable(
    `The status path's work under the kubelet's memory flags (${events} events, ${PODS} pods)`,
    rows,
  );
}

await main();
