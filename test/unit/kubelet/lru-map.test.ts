import { expect } from 'chai';
import { LruMap } from '../../../src/kubelet/lru-map.js';

describe('LruMap', () => {
  const filled = (): LruMap<number> => {
    const m = new LruMap<number>(2);
    m.set('a', 1);
    m.set('b', 2);
    return m;
  };

  it('drops the least recently set entry beyond its bound', () => {
    const m = filled();
    m.set('c', 3);
    expect([m.peek('a'), m.peek('b'), m.peek('c')]).to.deep.equal([undefined, 2, 3]);
  });

  it('get() marks an entry used, so the other one goes first', () => {
    const m = filled();
    expect(m.get('a')).to.equal(1);
    m.set('c', 3);
    expect([m.peek('a'), m.peek('b')]).to.deep.equal([1, undefined]);
  });

  it('peek() does not mark an entry used', () => {
    const m = filled();
    expect(m.peek('a')).to.equal(1);
    m.set('c', 3);
    expect(m.peek('a')).to.equal(undefined);
  });

  it('setting a known key again replaces it without growing; delete() removes it', () => {
    const m = filled();
    m.set('a', 10);
    expect([...m.values()]).to.deep.equal([2, 10]);
    m.delete('b');
    expect([...m.values()]).to.deep.equal([10]);
  });
});
