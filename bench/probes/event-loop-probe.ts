/**
 * Loaded with `node --import` into the runner the benchmark starts, until the
 * runner reports its own event-loop delay: keeps the same monitor the kubelet
 * serves on /metrics and, on SIGWINCH (which neither process uses), writes
 * its totals as JSON to $VK_CMD_BENCH_EVENT_LOOP_FILE (tmp + rename), with a
 * sequence number so the reader knows the file answers its signal. Does
 * nothing in any other process (the kubelet is started with the same flags).
 * Costs the runner one libuv timer every 10 ms and nothing per pod.
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventLoopDelayMonitor } from '../../src/common/event-loop-delay.js';

export const EVENT_LOOP_FILE_ENV = 'VK_CMD_BENCH_EVENT_LOOP_FILE';
export const PROBED_BIN = 'vk-cmd-runner';

const file = process.env[EVENT_LOOP_FILE_ENV];
if (file && path.basename(process.argv[1] ?? '') === PROBED_BIN) {
  const monitor = new EventLoopDelayMonitor();
  let seq = 0;
  process.on('SIGWINCH', () => {
    seq++;
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq, pid: process.pid, totals: monitor.totals() }));
    renameSync(`${file}.tmp`, file);
  });
}
