import { expect } from 'chai';
import { apiRequestsPerPod } from '../../../bench/scenarios/lifecycle-costs.js';

const sample = (verb: string, resource: string, code: string, value: number) => ({
  labels: { verb, resource, code },
  value,
});

describe('apiRequestsPerPod', () => {
  it('gives each verb and resource per pod over the window, every code counted, and the total', () => {
    const before = [sample('patch', 'pods/status', '200', 10), sample('create', 'events', '201', 4)];
    const after = [
      sample('patch', 'pods/status', '200', 410),
      sample('patch', 'pods/status', '409', 2),
      sample('create', 'events', '201', 4),
      sample('delete', 'pods', '200', 8),
    ];
    expect(apiRequestsPerPod(before, after, 200)).to.deep.equal({
      'delete pods': 0.04,
      'patch pods/status': 2.01,
      total: 2.05,
    });
  });

  it('is empty without both readings or pods', () => {
    expect(apiRequestsPerPod(undefined, [], 10)).to.deep.equal({});
    expect(apiRequestsPerPod([], [], 0)).to.deep.equal({});
  });
});
