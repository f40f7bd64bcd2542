import { expect } from 'chai';
import {
  escapeLabelValue,
  formatGoFloat,
  renderPrometheusText,
} from '../../../../src/kubelet/api/prometheus-text.js';

describe('formatGoFloat', () => {
  // Expected values are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
  const cases: Array<[number, string]> = [
    [0, '0'],
    [1, '1'],
    [-1, '-1'],
    [0.25, '0.25'],
    [1.5, '1.5'],
    [123456, '123456'],
    [999999, '999999'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [52428800, '5.24288e+07'],
    [1714564800.25, '1.71456480025e+09'],
    [86400, '86400'],
    [0.0001, '0.0001'],
    [0.00012, '0.00012'],
    [0.00001, '1e-05'],
    [1e-9, '1e-09'],
    [1.5e-7, '1.5e-07'],
    [-2.5e10, '-2.5e+10'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, want] of cases) {
    it(`${value} -> ${want}`, () => {
      expect(formatGoFloat(value)).to.equal(want);
    });
  }
});

describe('renderPrometheusText', () => {
  it('escapes label values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).to.equal('a\\"b\\\\c\\nd');
  });

  it('sorts families by name and samples by label values, and drops empty families', () => {
    const text = renderPrometheusText([
      {
        name: 'zeta',
        help: 'Z.',
        type: 'gauge',
        samples: [
          { labels: [['a', 'y']], value: 2, timestampMs: 1000 },
          { labels: [['a', 'x']], value: 1, timestampMs: 1000 },
        ],
      },
      { name: 'empty', help: 'E.', type: 'gauge', samples: [] },
      { name: 'alpha', help: 'A\nline.', type: 'counter', samples: [{ labels: [], value: 3 }] },
    ]);
    expect(text).to.equal(
      [
        '# HELP alpha A\\nline.',
        '# TYPE alpha counter',
        'alpha 3',
        '# HELP zeta Z.',
        '# TYPE zeta gauge',
        'zeta{a="x"} 1 1000',
        'zeta{a="y"} 2 1000',
        '',
      ].join('\n'),
    );
  });
});
