import { expect } from 'chai';
import { DEFAULT_FLAGS } from '../../../bench/bench-flags.js';
import { cdfSvg, escapeXml, formatMs, logDomain } from '../../../bench/cdf-svg.js';
import { latencyPanels, latencySvg, targetLines } from '../../../bench/latency-plot.js';
import { latencyRow, valueRow } from '../../../bench/report-rows.js';

/**
 * A strict-enough XML well-formedness check for generated SVG: one root,
 * every tag closed in order, attributes quoted, only the five named entities.
 */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length) {
    token.lastIndex = at;
    m = token.exec(body);
    if (!m) throw new Error(`not well-formed at ${at}: ${body.slice(at, at + 60)}`);
    at = token.lastIndex;
    const [, closing, name, , selfClosing, text] = m;
    if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`);
      for (const entity of text.match(/&[^;\s]*;?/g) ?? []) {
        if (!/^&(amp|lt|gt|quot|apos);$/.test(entity)) throw new Error(`bad entity ${entity}`);
      }
      continue;
    }
    if (closing) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) {
      roots++;
    }
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' ')}`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

describe('bench latency plot (SVG)', () => {
  const flags = { ...DEFAULT_FLAGS };
  const rows = [
    latencyRow('latency', 'create_to_running', 'x', { values: [20, 25, 40, 300], missing: 0 }, flags),
    latencyRow('latency', 'exit_to_terminated', 'x', { values: [5, 9, 21], missing: 0 }, flags),
    latencyRow('contended', 'create_to_running', 'x', { values: [200, 900, 2500], missing: 1 }, flags),
    latencyRow('contended', 'exit_to_terminated', 'x', { values: [80, 700], missing: 0 }, flags),
    latencyRow('latency', 'create_rtt', 'x', { values: [3], missing: 0 }, flags),
    valueRow('latency', 'runner_cpu_ms_per_pod', 'x', 3, 'ms', flags),
  ];

  it('draws create -> Running and exit -> Terminated, quiet and contended, with their targets', () => {
    const panels = latencyPanels(rows);
    expect(panels.map((p) => p.title)).to.deep.equal([
      'create -> container Running',
      'process exit -> Terminated',
    ]);
    expect(panels[0]!.series.map((s) => [s.name, s.values.length, s.missing])).to.deep.equal([
      ['quiet', 4, 0],
      ['contended', 3, 1],
    ]);
    expect(panels[0]!.targets.map((t) => [t.label, t.atMs])).to.deep.equal([
      ['quiet p50 <= 100 ms', 100],
      ['quiet p99 <= 300 ms', 300],
      ['contended p99 <= 1 s', 1000],
    ]);
    expect(panels[1]!.targets.map((t) => t.label)).to.deep.equal([
      'quiet p99 <= 200 ms',
      'contended p99 <= 1 s',
    ]);
  });

  it('produces well-formed SVG with one path per series and one line per target', () => {
    const svg = latencySvg(rows, 'commit <abc> & "friends"')!;
    assertWellFormedXml(svg);
    expect(svg.startsWith('<?xml')).to.equal(true);
    expect(svg).to.include('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg.match(/<path class="series" data-series="quiet"/g)).to.have.length(2);
    expect(svg.match(/<path class="series" data-series="contended"/g)).to.have.length(2);
    expect(svg.match(/<line class="target"/g)).to.have.length(5);
    expect(svg).to.include('latency (ms, log scale)');
    expect(svg).to.include('fraction of pods');
    expect(svg).to.include('commit &lt;abc&gt; &amp; &quot;friends&quot;');
  });

  it('steps each curve up once per sample and stops short of 1 for samples that never arrived', () => {
    const svg = cdfSvg(
      [{ title: 't', series: [{ name: 's', values: [10, 100], missing: 2, color: '#000' }], targets: [] }],
      'T',
    );
    const d = /data-series="s" d="([^"]*)"/.exec(svg)![1]!;
    expect(d.match(/V/g)).to.have.length(2);
    const ys = [...d.matchAll(/V([\d.]+)/g)].map((m) => Number(m[1]));
    // Two of four pods: the curve ends at 0.5, halfway up the plot.
    const yOf = (f: number): number => 56 + (400 - 56 - 135) * (1 - f);
    expect(ys[0]).to.be.closeTo(yOf(0.25), 0.1);
    expect(ys[1]).to.be.closeTo(yOf(0.5), 0.1);
  });

  it('spans whole decades covering samples and targets, 1 ms to 1 s at least', () => {
    const panel = (values: number[], at: number) => ({
      title: '',
      series: [{ name: '', values, missing: 0, color: '' }],
      targets: [{ label: '', atMs: at, color: '' }],
    });
    expect(logDomain([panel([5, 50], 300)])).to.deep.equal([1, 1000]);
    expect(logDomain([panel([0.3, 2500], 1000)])).to.deep.equal([0.1, 10_000]);
    expect(logDomain([panel([-2, 0], 1000)])).to.deep.equal([1, 1000]);
  });

  it('formats ticks and escapes text', () => {
    expect(formatMs(1)).to.equal('1 ms');
    expect(formatMs(300)).to.equal('300 ms');
    expect(formatMs(1000)).to.equal('1 s');
    expect(formatMs(0.1)).to.equal('0.1 ms');
    expect(escapeXml(`<a href="x">'&'</a>`)).to.equal(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
  });

  it('has nothing to draw without latency rows, and no lines for value targets', () => {
    expect(latencySvg([rows[5]!], '')).to.equal(undefined);
    expect(targetLines('footprint.kubelet_rss_peak_mb', 'quiet', '#000')).to.deep.equal([]);
    expect(targetLines('no.such_row', 'quiet', '#000')).to.deep.equal([]);
  });
});
