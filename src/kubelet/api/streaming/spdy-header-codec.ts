import zlib from 'node:zlib';
import { SPDY_HEADER_DICTIONARY } from './spdy-dictionary.js';
import { SpdyProtocolError } from './spdy-frames.js';

/** Inflated header blocks larger than this are refused. */
const MAX_HEADER_BLOCK_BYTES = 256 * 1024;

/**
 * Decompresses the header blocks of one direction of a SPDY session: one
 * zlib stream for the whole connection, the SPDY dictionary preset, each
 * block ended by the sender's sync flush. Blocks must be given in order and
 * one at a time (the session awaits each); node's zlib is asynchronous.
 */
export class HeaderInflater {
  private readonly inflate = zlib.createInflate({
    dictionary: SPDY_HEADER_DICTIONARY,
    // Output stays buffered until read(): a small high-water mark would hold back the flush
    // callback. Node passes stream options through; its zlib typings do not list them.
    ...{ highWaterMark: MAX_HEADER_BLOCK_BYTES * 2 },
  } as zlib.ZlibOptions);
  private failure: Error | undefined;
  /** Rejects the block being inflated: a failed zlib stream never calls the flush back. */
  private rejectPending: ((err: Error) => void) | undefined;

  constructor() {
    this.inflate.on('error', (err) => {
      this.failure = err;
      this.rejectPending?.(new SpdyProtocolError(`header decompression failed: ${err.message}`));
    });
  }

  /** The uncompressed bytes of one compressed header block; rejects with SpdyProtocolError. */
  inflateBlock(block: Buffer): Promise<Buffer> {
    if (this.failure) {
      return Promise.reject(new SpdyProtocolError(`header decompression failed: ${this.failure.message}`));
    }
    return new Promise<Buffer>((resolve, reject) => {
      this.rejectPending = reject;
      this.inflate.write(block);
      this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (this.failure) return;
        const out = (this.inflate.read() as Buffer | null) ?? Buffer.alloc(0);
        if (out.length > MAX_HEADER_BLOCK_BYTES) {
          reject(new SpdyProtocolError(`header block of ${out.length} bytes is too large`));
          return;
        }
        resolve(out);
      });
    }).finally(() => (this.rejectPending = undefined));
  }

  close(): void {
    this.inflate.destroy();
  }
}

/**
 * Compresses the header blocks this side sends, synchronously, as one zlib
 * stream of stored (uncompressed) deflate blocks: the first block opens the
 * stream with a zlib header that names no dictionary (a reader given one
 * ignores it), and each block ends as a sync flush ends it, with an empty
 * stored block. That marker matters: Go's inflater hands out a stored
 * block's bytes only once it has read the next block header, and without
 * one inside the frame it reads past the frame's end and fails for good.
 * The kubelet only sends tiny SYN_REPLY blocks; compressing them gains
 * nothing.
 */
/** The empty stored block a zlib sync flush writes. */
const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

export class HeaderDeflater {
  private started = false;

  deflateBlock(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32K window), FLG 0x01: no dictionary, (0x7801 % 31) === 0.
      parts.push(Buffer.from([0x78, 0x01]));
      this.started = true;
    }
    for (let offset = 0; offset < block.length || offset === 0; offset += 0xffff) {
      const piece = block.subarray(offset, offset + 0xffff);
      const head = Buffer.alloc(5);
      head[0] = 0x00; // BFINAL 0, BTYPE 00 (stored); the rest of the byte is padding
      head.writeUInt16LE(piece.length, 1);
      head.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(head, piece);
      if (block.length === 0) break;
    }
    parts.push(SYNC_FLUSH_MARKER);
    return Buffer.concat(parts);
  }
}
