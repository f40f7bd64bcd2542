import { expect } from 'chai';
import { InvalidInputError } from '../../../../src/common/errors.js';
import {
  parseContainerLogQuery,
  parseRfc3339Ms,
  type ContainerLogQuery,
} from '../../../../src/kubelet/api/log-query.js';

const DEFAULTS: ContainerLogQuery = {
  follow: false,
  previous: false,
  timestamps: false,
  tailLines: undefined,
  sinceSeconds: undefined,
  sinceTimeMs: undefined,
  limitBytes: undefined,
  stream: 'LOG_STREAM_ALL',
};

describe('parseContainerLogQuery', () => {
  const valid: Array<[string, string, Partial<ContainerLogQuery>]> = [
    ['no parameters', '', {}],
    ['follow=true', 'follow=true', { follow: true }],
    ['follow=1', 'follow=1', { follow: true }],
    ['follow=false', 'follow=false', { follow: false }],
    ['follow=FALSE', 'follow=FALSE', { follow: false }],
    ['follow=0', 'follow=0', { follow: false }],
    ['a bare flag is true, as Kubernetes decodes it', 'follow', { follow: true }],
    ['previous', 'previous=true', { previous: true }],
    ['timestamps', 'timestamps=true', { timestamps: true }],
    ['tailLines', 'tailLines=10', { tailLines: 10 }],
    ['tailLines=0', 'tailLines=0', { tailLines: 0 }],
    ['legacy tail', 'tail=5', { tailLines: 5 }],
    ['legacy tail overrides tailLines', 'tailLines=2&tail=7', { tailLines: 7 }],
    ['tail=all removes the limit', 'tailLines=2&tail=all', { tailLines: undefined }],
    ['sinceSeconds', 'sinceSeconds=30', { sinceSeconds: 30 }],
    ['sinceTime UTC', 'sinceTime=2024-03-01T10:00:00Z', { sinceTimeMs: Date.UTC(2024, 2, 1, 10) }],
    [
      'sinceTime with offset and fraction',
      'sinceTime=2024-03-01T12:00:00.250%2B02:00',
      { sinceTimeMs: Date.UTC(2024, 2, 1, 10, 0, 0, 250) },
    ],
    ['empty sinceTime is unset', 'sinceTime=', {}],
    ['limitBytes', 'limitBytes=4096', { limitBytes: 4096 }],
    ['an empty integer is unset', 'tailLines=', {}],
    ['the first of repeated values wins', 'tailLines=3&tailLines=9', { tailLines: 3 }],
    ['stream=Stdout', 'stream=Stdout', { stream: 'LOG_STREAM_STDOUT' }],
    ['stream=Stderr', 'stream=Stderr', { stream: 'LOG_STREAM_STDERR' }],
    ['stream=All with tailLines', 'stream=All&tailLines=1', { stream: 'LOG_STREAM_ALL', tailLines: 1 }],
    [
      'everything kubectl logs -f --tail --timestamps --limit-bytes sends',
      'follow=true&tailLines=20&timestamps=true&limitBytes=100&container=c1',
      { follow: true, tailLines: 20, timestamps: true, limitBytes: 100 },
    ],
  ];
  for (const [title, query, want] of valid) {
    it(`accepts ${title}`, () => {
      expect(parseContainerLogQuery(new URLSearchParams(query))).to.deep.equal({ ...DEFAULTS, ...want });
    });
  }

  const invalid: Array<[string, string, RegExp]> = [
    [
      'negative tailLines',
      'tailLines=-1',
      /tailLines: Invalid value: -1: must be greater than or equal to 0/,
    ],
    ['negative legacy tail', 'tail=-3', /tailLines: Invalid value: -3/],
    ['zero limitBytes', 'limitBytes=0', /limitBytes: Invalid value: 0: must be greater than 0/],
    ['negative limitBytes', 'limitBytes=-5', /limitBytes: Invalid value: -5/],
    ['zero sinceSeconds', 'sinceSeconds=0', /sinceSeconds: Invalid value: 0: must be greater than 0/],
    ['negative sinceSeconds', 'sinceSeconds=-10', /sinceSeconds: Invalid value: -10/],
    [
      'sinceSeconds with sinceTime',
      'sinceSeconds=5&sinceTime=2024-03-01T10:00:00Z',
      /at most one of `sinceTime` or `sinceSeconds` may be specified/,
    ],
    ['a non-integer tailLines', 'tailLines=ten', /tailLines: not an integer/],
    ['a fractional sinceSeconds', 'sinceSeconds=1.5', /sinceSeconds: not an integer/],
    ['an integer beyond 2^53', 'limitBytes=99999999999999999999', /limitBytes: out of range/],
    ['a sinceTime that is not RFC 3339', 'sinceTime=yesterday', /sinceTime: not an RFC 3339 time/],
    ['a sinceTime without a zone', 'sinceTime=2024-03-01T10:00:00', /sinceTime/],
    ['an unknown stream', 'stream=Both', /stream: Unsupported value: "Both"/],
    ['tailLines with a single stream', 'stream=Stdout&tailLines=3', /`tailLines` and specific `stream`/],
    ['several errors at once', 'tailLines=-1&limitBytes=0', /tailLines.*, limitBytes/],
  ];
  for (const [title, query, message] of invalid) {
    it(`refuses ${title}`, () => {
      expect(() => parseContainerLogQuery(new URLSearchParams(query)))
        .to.throw(InvalidInputError)
        .with.property('message')
        .that.matches(message);
    });
  }
});

describe('parseRfc3339Ms', () => {
  const cases: Array<[string, number | undefined]> = [
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['2024-01-01T00:00:00.123456789Z', Date.UTC(2024, 0, 1, 0, 0, 0, 123)],
    ['2024-01-01T01:00:00+01:00', Date.UTC(2024, 0, 1)],
    ['2023-02-29T00:00:00Z', undefined],
    ['2024-01-01T24:00:00Z', undefined],
    ['2024-01-01 00:00:00Z', undefined],
    ['2024-01-01T00:00:00z', undefined],
    ['', undefined],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${String(want)}`, () => {
      expect(parseRfc3339Ms(input)).to.equal(want);
    });
  }
});
