/*
 * CPU per MB of the kubelet's own SPDY framer: encoding 64 KiB data frames
 * and reading them back through SpdyFrameReader, split at odd offsets as
 * TLS records arrive. Prints a Markdown table. Run after `make build`:
 *   node dist/bench/decisions/spdy-framer-throughput.js
 */
import { SpdyFrameReader, encodeDataFrame } from '../../src/kubelet/api/streaming/spdy-frames.js';
import { encodeChannelMessage, decodeChannelMessage } from '../../src/kubelet/api/streaming/ws-channels.js';

const TOTAL_BYTES = 256 * 1024 * 1024;
const FRAME = 64 * 1024;

function cpuMsPerMb(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / (TOTAL_BYTES / 1024 / 1024);
}

const payload = Buffer.alloc(FRAME, 7);
const spdy = cpuMsPerMb(() => {
  const reader = new SpdyFrameReader();
  let seen = 0;
  for (let sent = 0; sent < TOTAL_BYTES; sent += FRAME) {
    const frame = encodeDataFrame(1, payload, false);
    // TLS hands data over in records of up to 16 KiB.
    for (let offset = 0; offset < frame.length; offset += 16_384) {
      for (const f of reader.push(frame.subarray(offset, offset + 16_384)))
        if (f.kind === 'data') seen += f.data.length;
    }
  }
  if (seen !== TOTAL_BYTES) throw new Error(`read ${seen} bytes`);
});
const channels = cpuMsPerMb(() => {
  let seen = 0;
  for (let sent = 0; sent < TOTAL_BYTES; sent += FRAME) {
    const message = encodeChannelMessage('binary', 1, payload) as Buffer;
    const decoded = decodeChannelMessage('binary', message, true);
    if (decoded?.kind === 'data') seen += decoded.data.length;
  }
  if (seen !== TOTAL_BYTES) throw new Error(`read ${seen} bytes`);
});
console.log('| path | CPU ms per MB |');
console.log('| --- | --- |');
console.log(`| SPDY data frames, encode + read back (64 KiB frames, 16 KiB reads) | ${spdy.toFixed(3)} |`);
console.log(
  `| WebSocket channel messages, encode + decode (ws does the WebSocket framing) | ${channels.toFixed(3)} |`,
);
