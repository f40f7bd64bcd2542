import { expect } from 'chai';
import {
  isLoopbackAddress,
  loopbackPodIpWarning,
  nodeWarningEvent,
} from '../../../../src/kubelet/node/pod-ip-warning.js';

describe('pod IP warning: a loopback node address breaks Services', () => {
  it('knows loopback addresses', () => {
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost']) {
      expect(isLoopbackAddress(ip), ip).to.equal(true);
    }
    for (const ip of ['10.0.0.1', '192.0.2.2', '::2', 'fd00::2', '128.0.0.1']) {
      expect(isLoopbackAddress(ip), ip).to.equal(false);
    }
  });

  it('says why and what to do for a loopback address, nothing otherwise', () => {
    expect(loopbackPodIpWarning('10.0.0.1')).to.equal(undefined);
    const message = loopbackPodIpWarning('127.0.0.1')!;
    expect(message).to.contain('EndpointSlices refuse loopback addresses');
    expect(message).to.contain('--pod-ip');
  });

  it('records a Warning about the Node in the default namespace, its UID being the node name', () => {
    const event = nodeWarningEvent('vk-1', 'LoopbackPodIP', 'm', Date.parse('2025-01-01T00:00:00Z'));
    expect(event.metadata?.namespace).to.equal('default');
    expect(event.involvedObject).to.deep.equal({ apiVersion: 'v1', kind: 'Node', name: 'vk-1', uid: 'vk-1' });
    expect(event).to.include({ reason: 'LoopbackPodIP', type: 'Warning', count: 1 });
    expect(event.source).to.deep.equal({ component: 'kubelet', host: 'vk-1' });
  });
});
