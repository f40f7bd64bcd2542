import { expect } from 'chai';
import { PortPool } from '../../../../src/kubelet/fleet/port-pool.js';

describe('kubelet/fleet: PortPool', () => {
  it('hands out the lowest free port, round-robin, and none when the range is used up', () => {
    const pool = new PortPool(100, 102);
    expect([pool.acquire('a'), pool.acquire('b'), pool.acquire('c'), pool.acquire('d')]).to.deep.equal([
      100,
      101,
      102,
      undefined,
    ]);
    pool.release(101);
    expect(pool.free).to.equal(1);
    expect(pool.acquire('e')).to.equal(101);
  });

  it('gives a node the port it asks for when in range and free', () => {
    const pool = new PortPool(100, 109);
    expect(pool.acquire('a', 105)).to.equal(105);
    expect(pool.acquire('b', 105), 'taken: the next free one').to.equal(100);
    expect(pool.acquire('c', 200), 'outside the range').to.equal(101);
    expect(pool.holder(105)).to.equal('a');
  });

  it('never hands out a port found busy, and does not free it on release', () => {
    const pool = new PortPool(100, 101);
    pool.markBusy(100);
    expect(pool.acquire('a')).to.equal(101);
    pool.release(100);
    expect(pool.acquire('b')).to.equal(undefined);
    expect(pool.holder(100)).to.equal(undefined);
  });

  it('does not hand a just-released port straight to the next node while others are free', () => {
    const pool = new PortPool(100, 103);
    pool.acquire('a');
    const b = pool.acquire('b');
    pool.release(b!);
    expect(pool.acquire('c')).to.equal(102);
  });

  it('refuses a bad range', () => {
    expect(() => new PortPool(10, 9)).to.throw('bad port range');
    expect(() => new PortPool(0, 9)).to.throw('bad port range');
  });
});
