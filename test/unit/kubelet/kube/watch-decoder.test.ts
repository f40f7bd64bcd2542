import { expect } from 'chai';
import { WatchDecodeError, WatchDecoder } from '../../../../src/kubelet/kube/watch-decoder.js';

const line = (type: string, name: string): string =>
  `${JSON.stringify({ type, object: { metadata: { name } } })}\n`;

describe('WatchDecoder', () => {
  it('yields one event per line, whatever the chunk boundaries', () => {
    const stream = line('ADDED', 'a') + line('MODIFIED', 'b') + line('DELETED', 'c');
    for (let size = 1; size <= stream.length; size += 7) {
      const d = new WatchDecoder();
      const names: string[] = [];
      for (let i = 0; i < stream.length; i += size) {
        for (const e of d.push(stream.slice(i, i + size))) {
          names.push(`${e.type}:${(e.object as { metadata: { name: string } }).metadata.name}`);
        }
      }
      expect(d.end(), `chunk size ${size}`).to.deep.equal([]);
      expect(names, `chunk size ${size}`).to.deep.equal(['ADDED:a', 'MODIFIED:b', 'DELETED:c']);
    }
  });

  it('keeps a multi-byte character split across chunks intact (chunks are decoded text)', () => {
    const d = new WatchDecoder();
    const text = line('ADDED', 'é');
    const cut = text.indexOf('é') + 1;
    expect(d.push(text.slice(0, cut))).to.deep.equal([]);
    const [e] = d.push(text.slice(cut));
    expect((e?.object as { metadata: { name: string } }).metadata.name).to.equal('é');
  });

  it('delivers a last line without a newline at the end, and skips blank lines', () => {
    const d = new WatchDecoder();
    expect(d.push('\n\n' + line('BOOKMARK', 'x').trimEnd())).to.deep.equal([]);
    expect(d.end().map((e) => e.type)).to.deep.equal(['BOOKMARK']);
  });

  const bad: Array<[string, string]> = [
    ['text', 'hello\n'],
    ['an unknown type', '{"type":"SOMETHING","object":{}}\n'],
    ['no object', '{"type":"ADDED"}\n'],
  ];
  for (const [name, text] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => new WatchDecoder().push(text)).to.throw(WatchDecodeError);
    });
  }
});
