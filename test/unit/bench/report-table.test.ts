import { expect } from 'chai';
import { DEFAULT_FLAGS } from '../../../bench/bench-flags.js';
import { latencyRow, valueRow } from '../../../bench/report-rows.js';
import { formatReport, formatValue, ms, renderTable } from '../../../bench/report-table.js';

describe('bench report table', () => {
  it('aligns columns, numbers to the right', () => {
    const text = renderTable(
      ['name', 'n'],
      [
        ['a', '5'],
        ['long name', '100'],
      ],
      [false, true],
    );
    expect(text.split('\n')).to.deep.equal([
      'name         n',
      '---------  ---',
      'a            5',
      'long name  100',
    ]);
  });

  it('formats milliseconds and values at a precision that suits them', () => {
    expect(ms(12.345)).to.equal('12.3');
    expect(ms(1234.5)).to.equal('1235');
    expect(ms(Number.NaN)).to.equal('-');
    expect(formatValue(3.14159, 's')).to.equal('3.14 s');
    expect(formatValue(42.42, 'MB')).to.equal('42.4 MB');
    expect(formatValue(123.4, 'MB')).to.equal('123 MB');
    expect(formatValue(Number.NaN, 'MB')).to.equal('-');
  });

  it('shows every row with its target and verdict, counts targets met and numbers notes', () => {
    const flags = { ...DEFAULT_FLAGS, ratePerSecond: 5 };
    const text = formatReport(
      [
        latencyRow(
          'latency',
          'create_to_running',
          'create -> Running',
          { values: [40, 80], missing: 1 },
          flags,
        ),
        latencyRow('latency', 'create_rtt', 'create round trip', { values: [3], missing: 0 }, flags),
        valueRow('footprint', 'kubelet_rss_peak_mb', 'kubelet RSS peak', 90.5, 'MB', DEFAULT_FLAGS),
      ],
      [{ scenario: 'burst', message: 'boom' }],
    );
    const lines = text.split('\n');
    const running = lines.find((l) => l.includes('create -> Running'))!;
    expect(running).to.match(
      /2\/3\s+40\.0\s+80\.0\s+80\.0\s+80\.0\s+p50 <= 100 ms, p99 <= 300 ms\s+missed \[1\]/,
    );
    expect(lines.find((l) => l.includes('create round trip'))).to.match(/\s-\s+-$/);
    expect(lines.find((l) => l.includes('kubelet RSS peak'))).to.match(/90\.5 MB\s+<= 150 MB\s+met$/);
    expect(text).to.contain('Targets met: 1 of 2');
    expect(text).to.contain('[1] target stated at 20 pods/s');
    expect(text).to.contain('scenario burst did not finish: boom');
  });

  it('heads the report with each scenario and the load average at its start and end', () => {
    const text = formatReport(
      [],
      [],
      [
        { scenario: 'latency', seconds: 72.4, loadAtStart: [0.5, 0.4, 0.3], loadAtEnd: [1.25, 0.6, 0.35] },
        { scenario: 'contended', seconds: 95, loadAtStart: [1.3, 0.7, 0.4], loadAtEnd: [6, 2.5, 1] },
      ],
    );
    const lines = text.split('\n');
    expect(lines[0]).to.equal('Scenarios (load average over 1, 5, 15 min)');
    expect(lines[1]).to.match(/^scenario\s+time\s+load at start\s+load at end$/);
    expect(lines.find((l) => l.startsWith('latency'))).to.match(
      /72\.4 s\s+0\.50 0\.40 0\.30\s+1\.25 0\.60 0\.35$/,
    );
    expect(lines.find((l) => l.startsWith('contended'))).to.match(
      /95\.0 s\s+1\.30 0\.70 0\.40\s+6\.00 2\.50 1\.00$/,
    );
  });
});
