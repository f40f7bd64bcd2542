import { expect } from 'chai';
import { BenchFlagError, DEFAULT_FLAGS, parseBenchArgs, parseScenarios } from '../../../bench/bench-flags.js';

function run(argv: string[]) {
  const parsed = parseBenchArgs(argv);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  return parsed.flags;
}

describe('bench flags', () => {
  it('defaults to the product sizes and every scenario', () => {
    const flags = run([]);
    expect(flags).to.deep.equal({
      ...DEFAULT_FLAGS,
      scenarios: ['latency', 'contended', 'hugepod', 'burst', 'footprint', 'runner'],
    });
    expect(flags.latencyPods).to.equal(600);
    expect(flags.ratePerSecond).to.equal(20);
    expect(flags.contendedPods).to.equal(400);
    expect(flags.burners).to.equal(undefined);
    expect(flags.burstPods).to.equal(1000);
    expect(flags.footprintPods).to.equal(1000);
    expect(flags.footprintSeconds).to.equal(60);
    expect(flags.runnerPods).to.equal(200);
  });

  it('--quick shrinks every size', () => {
    const flags = run(['--quick']);
    expect(flags.quick).to.equal(true);
    expect(flags.latencyPods).to.equal(60);
    expect(flags.contendedPods).to.equal(40);
    expect(flags.burstPods).to.equal(100);
    expect(flags.footprintPods).to.equal(100);
    expect(flags.footprintSeconds).to.equal(10);
    expect(flags.runnerPods).to.equal(50);
    expect(flags.hugePodContainers).to.equal(100);
  });

  it('an explicit size wins over --quick wherever it appears', () => {
    expect(run(['--burst-pods', '7', '--quick']).burstPods).to.equal(7);
    expect(run(['--quick', '--burst-pods=9']).burstPods).to.equal(9);
  });

  const cases: Array<[string[], Partial<ReturnType<typeof run>>]> = [
    [['--latency-pods', '10'], { latencyPods: 10 }],
    [['--rate', '2.5'], { ratePerSecond: 2.5 }],
    [['--concurrency=4'], { concurrency: 4 }],
    [['--footprint-seconds', '5'], { footprintSeconds: 5 }],
    [['--runner-pods', '3'], { runnerPods: 3 }],
    [['--contended-pods', '25'], { contendedPods: 25 }],
    [['--huge-pod-containers', '300'], { hugePodContainers: 300 }],
    [
      ['--quick', '--scenarios', 'hugepod'],
      { scenarios: ['hugepod'], hugePodContainers: 100, latencyPods: 60 },
    ],
    [['--burners=0'], { burners: 0 }],
    [['--burners', '8', '--quick'], { burners: 8, contendedPods: 40 }],
    [['--via-scheduler'], { viaScheduler: true }],
    [['--log-v', '3'], { logVerbosity: 3 }],
    [['--cpu-prof', '/tmp/p'], { cpuProfDir: '/tmp/p' }],
    [
      ['--fleet-kubelet-node-flags', ' --perf-basic-prof  --no-opt '],
      { fleetKubeletNodeFlags: ['--perf-basic-prof', '--no-opt'] },
    ],
    [['--scenarios', 'runner,latency'], { scenarios: ['runner', 'latency'] }],
    [['--scenarios', 'exec,probes'], { scenarios: ['exec', 'probes'] }],
    [['--exec-pods', '5', '--exec-calls=50'], { execPods: 5, execCalls: 50 }],
    [['--forward-connections', '7', '--forward-mib', '2'], { forwardConnections: 7, forwardMib: 2 }],
    [['--probe-pods', '9', '--probe-seconds', '2.5'], { probePods: 9, probeSeconds: 2.5 }],
    [['--quick', '--scenarios', 'probes'], { scenarios: ['probes'], probePods: 20, probeSeconds: 5 }],
    [['--scenarios', 'exec-api', '--api-exec-runs', '7'], { scenarios: ['exec-api'], apiExecRuns: 7 }],
    [['--quick', '--scenarios=exec-api'], { scenarios: ['exec-api'], apiExecRuns: 10, forwardMib: 8 }],
  ];
  for (const [argv, expected] of cases) {
    it(`parses ${argv.join(' ')}`, () => {
      expect(run(argv)).to.deep.include(expected);
    });
  }

  const bad: Array<[string[], RegExp]> = [
    [['--latency-pods', '0'], /--latency-pods: must be at least 1/],
    [['--burst-pods', '1.5'], /not a whole number/],
    [['--burners', '-1'], /--burners: must be at least 0/],
    [['--contended-pods', '0'], /--contended-pods: must be at least 1/],
    [['--rate', 'fast'], /--rate: "fast" is not a number/],
    [['--rate'], /--rate: missing value/],
    [['--nope'], /unknown flag --nope/],
    [['latency'], /unexpected argument "latency"/],
    [['--scenarios', 'latency,warp'], /unknown scenario "warp"/],
    [['--scenarios', ','], /at least one scenario/],
    [['--cpu-prof='], /must not be empty/],
    [['--exec-calls', '0'], /--exec-calls: must be at least 1/],
    [['--forward-mib', '0.5'], /not a whole number/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')}`, () => {
      expect(() => parseBenchArgs(argv))
        .to.throw(BenchFlagError)
        .with.property('message')
        .that.matches(message);
    });
  }

  it('exec and probes run only when named, full size by default and small with --quick', () => {
    expect(run([]).scenarios).to.not.include('exec');
    expect(run(['--quick']).scenarios).to.not.include('probes');
    expect(run([])).to.deep.include({
      execPods: 20,
      execCalls: 200,
      forwardConnections: 200,
      forwardMib: 64,
      probePods: 200,
      probeSeconds: 30,
    });
    expect(run(['--quick'])).to.deep.include({
      execPods: 4,
      execCalls: 40,
      forwardConnections: 40,
      forwardMib: 8,
      probePods: 20,
      probeSeconds: 5,
    });
  });

  it('exec-api runs only when named, 50 kubectl runs of each kind and 64 MiB by default', () => {
    expect(run([]).scenarios).to.not.include('exec-api');
    expect(run(['--quick']).scenarios).to.not.include('exec-api');
    expect(run(['--scenarios', 'exec-api'])).to.deep.include({ apiExecRuns: 50, forwardMib: 64 });
    expect(() => parseBenchArgs(['--api-exec-runs', '0'])).to.throw(BenchFlagError, /at least 1/);
  });

  it('--help wins over everything else', () => {
    expect(parseBenchArgs(['--rate', '3', '--help']).kind).to.equal('help');
  });

  it('deduplicates scenarios and keeps their order', () => {
    expect(parseScenarios(' burst , latency,burst')).to.deep.equal(['burst', 'latency']);
  });
});
