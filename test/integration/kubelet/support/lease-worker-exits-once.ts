import { existsSync, writeFileSync } from 'node:fs';
import '../../../../src/kubelet/node/lease-worker.js';

/*
 * The lease thread, exiting with code 3 half a second after its first start:
 * the first thread to find no file at VKCMD_TEST_LEASE_THREAD_MARKER creates
 * it and exits; the threads started after it run on.
 */
const marker = process.env['VKCMD_TEST_LEASE_THREAD_MARKER'];
if (marker && !existsSync(marker)) {
  writeFileSync(marker, '');
  setTimeout(() => process.exit(3), 500);
}
