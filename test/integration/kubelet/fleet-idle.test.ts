import https from 'node:https';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import { FleetHarness } from './support/fleet-harness.js';
import { lightRunners } from './support/light-runners.js';
import { waitFor } from './support/harness.js';

/** GET over `agent`; resolves with the status and the socket it went over (left open by a keep-alive agent). */
function get(
  port: number,
  pathname: string,
  agent: https.Agent,
): Promise<{ status: number; socket: Socket; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: pathname, rejectUnauthorized: false, agent },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, socket: req.socket!, reused: req.reusedSocket }),
        );
      },
    );
    req.on('error', reject);
  });
}

describe('kubelet --fleet: what an idle node costs', function () {
  this.timeout(60_000);
  let h: FleetHarness;
  let stopRunners: (() => void) | undefined;
  const portFrom = 36_000 + Math.floor(Math.random() * 100) * 20;

  beforeEach(() => {
    h = new FleetHarness();
  });
  afterEach(async () => {
    stopRunners?.();
    await h.close();
  });

  it("keeps a scraper's idle connection open past Node's default 5 s, so each scrape is not a new TLS handshake", async () => {
    const fleet = await h.start({
      runnerUnreachableGraceSeconds: 5,
      fleet: { portFrom, portTo: portFrom + 9 },
    });
    stopRunners = lightRunners(h.url(), h.pki.caFile, ['vk-idle-0']);
    await waitFor(() => fleet.unit('vk-idle-0')?.port !== undefined, 20_000, 'the node served');
    const port = fleet.unit('vk-idle-0')!.port!;
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(port, '/healthz', agent);
      expect(first.status).to.equal(200);
      // A scraper comes back after its interval (metrics-server: 10 s at the least); the server must not have closed.
      const closedWithinMs = 6_000;
      const outcome = await Promise.race([
        new Promise<string>((resolve) => first.socket.once('close', () => resolve('closed by the kubelet'))),
        new Promise<string>((resolve) => setTimeout(() => resolve('open'), closedWithinMs)),
      ]);
      expect(outcome).to.equal('open');
      const second = await get(port, '/healthz', agent);
      expect(second.status).to.equal(200);
      expect(second.reused, 'the second scrape reused the connection').to.equal(true);
    } finally {
      agent.destroy();
    }
  });
});
