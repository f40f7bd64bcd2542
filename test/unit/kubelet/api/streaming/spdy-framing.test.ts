import { expect } from 'chai';
import zlib from 'node:zlib';
import { SPDY_HEADER_DICTIONARY } from '../../../../../src/kubelet/api/streaming/spdy-dictionary.js';
import {
  ControlType,
  FLAG_FIN,
  SpdyFrameReader,
  SpdyProtocolError,
  decodeHeaderBlock,
  encodeControlFrame,
  encodeDataFrame,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  parseGoAway,
  parsePing,
  parseRstStream,
  parseStreamHeaders,
  parseSynStream,
} from '../../../../../src/kubelet/api/streaming/spdy-frames.js';
import {
  HeaderDeflater,
  HeaderInflater,
} from '../../../../../src/kubelet/api/streaming/spdy-header-codec.js';

/** Adler-32, as zlib checks a preset dictionary. */
function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('SPDY/3.1 framing', () => {
  it('the header dictionary is the 1423 bytes Go compresses against', () => {
    expect(SPDY_HEADER_DICTIONARY.length).to.equal(1423);
    expect(adler32(SPDY_HEADER_DICTIONARY).toString(16)).to.equal('e3c6a7c2');
    expect(SPDY_HEADER_DICTIONARY.subarray(0, 11)).to.deep.equal(Buffer.from('\0\0\0\x07options', 'latin1'));
    expect(SPDY_HEADER_DICTIONARY.subarray(-6).toString()).to.equal('enq=0.');
  });

  it('reads frames split anywhere and back to back', () => {
    const bytes = Buffer.concat([
      encodeDataFrame(1, Buffer.from('hello'), false),
      encodePing(7),
      encodeDataFrame(3, Buffer.alloc(0), true),
    ]);
    for (let split = 0; split <= bytes.length; split++) {
      const reader = new SpdyFrameReader();
      const frames = [...reader.push(bytes.subarray(0, split)), ...reader.push(bytes.subarray(split))];
      expect(frames, `split at ${split}`).to.have.length(3);
      expect(frames[0]).to.deep.include({ kind: 'data', streamId: 1, flags: 0, data: Buffer.from('hello') });
      expect(frames[1]).to.deep.include({ kind: 'control', version: 3, type: ControlType.Ping, flags: 0 });
      expect(frames[2]).to.deep.include({ kind: 'data', streamId: 3, flags: FLAG_FIN });
    }
  });

  it('encodes control frames with the control bit, version 3, type, flags and a 24-bit length', () => {
    const frame = encodeControlFrame(ControlType.SynReply, FLAG_FIN, Buffer.from([1, 2, 3]));
    expect([...frame.subarray(0, 8)]).to.deep.equal([0x80, 0x03, 0x00, 0x02, 0x01, 0x00, 0x00, 0x03]);
    expect([...encodeDataFrame(5, Buffer.from('x'), true).subarray(0, 8)]).to.deep.equal([
      0, 0, 0, 5, 1, 0, 0, 1,
    ]);
  });

  it('parses and builds the control frames the kubelet handles', () => {
    const syn = Buffer.concat([Buffer.from([0, 0, 0, 5, 0, 0, 0, 0, 0x60, 0]), Buffer.from('block')]);
    expect(parseSynStream(syn)).to.deep.equal({
      streamId: 5,
      associatedStreamId: 0,
      priority: 3,
      headerBlock: Buffer.from('block'),
    });
    const payload = (frame: Buffer): Buffer => frame.subarray(8);
    expect(parseRstStream(payload(encodeRstStream(9, 5)))).to.deep.equal({ streamId: 9, status: 5 });
    expect(parsePing(payload(encodePing(0xfffffffd)))).to.equal(0xfffffffd);
    expect(parseGoAway(payload(encodeGoAway(7, 1)))).to.deep.equal({ lastGoodStreamId: 7, status: 1 });
    expect(parseStreamHeaders(payload(encodeSynReply(3, Buffer.from('h'), false)))).to.deep.equal({
      streamId: 3,
      headerBlock: Buffer.from('h'),
    });
    expect(() => parseRstStream(Buffer.alloc(4))).to.throw(SpdyProtocolError);
  });

  it('refuses an oversized control frame', () => {
    const head = Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0x7f, 0xff, 0xff]);
    expect(() => new SpdyFrameReader().push(head)).to.throw(SpdyProtocolError, /too large/);
  });

  it('round-trips header blocks; names must be lowercase and unique; values split on NUL', () => {
    const block = encodeHeaderBlock([
      ['streamType', ['error']],
      ['port', ['8080']],
      ['multi', ['a', 'b']],
    ]);
    expect([...decodeHeaderBlock(block)]).to.deep.equal([
      ['streamtype', ['error']],
      ['port', ['8080']],
      ['multi', ['a', 'b']],
    ]);
    const upper = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from('A'), Buffer.alloc(4)]);
    expect(() => decodeHeaderBlock(upper)).to.throw(SpdyProtocolError, /lowercase/);
    expect(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 2]))).to.throw(SpdyProtocolError, /truncated/);
  });

  it('inflates header blocks compressed against the dictionary, one zlib stream across frames', async () => {
    const deflate = zlib.createDeflate({ dictionary: SPDY_HEADER_DICTIONARY, level: 9 });
    const compress = (block: Buffer): Promise<Buffer> =>
      new Promise((resolve) => {
        deflate.write(block);
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(deflate.read() as Buffer));
      });
    const inflater = new HeaderInflater();
    for (const type of ['error', 'stdout', 'stderr', 'stdout']) {
      const block = encodeHeaderBlock([['streamtype', [type]]]);
      const inflated = await inflater.inflateBlock(await compress(block));
      expect(decodeHeaderBlock(inflated).get('streamtype')).to.deep.equal([type]);
    }
    inflater.close();
    const bad = new HeaderInflater();
    let message = '';
    await bad.inflateBlock(Buffer.from('not zlib at all')).catch((err: Error) => (message = err.message));
    expect(message).to.match(/header decompression failed/);
    bad.close();
  });

  it('deflates reply headers as stored blocks, each ended by the sync-flush marker Go needs', () => {
    const deflater = new HeaderDeflater();
    const first = deflater.deflateBlock(encodeHeaderBlock([]));
    const second = deflater.deflateBlock(encodeHeaderBlock([['a', ['b']]]));
    expect([...first.subarray(0, 2)]).to.deep.equal([0x78, 0x01]);
    for (const block of [first, second]) expect([...block.subarray(-5)]).to.deep.equal([0, 0, 0, 0xff, 0xff]);
    // Any zlib reader gets the blocks back, in order, from the one stream.
    const inflated = zlib.inflateSync(Buffer.concat([first, second]), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    expect(inflated).to.deep.equal(Buffer.concat([encodeHeaderBlock([]), encodeHeaderBlock([['a', ['b']]])]));
  });
});
