import { startSharedCluster, stopSharedCluster } from './e2e-env.js';

/** Mocha root hooks: one control plane for the whole end-to-end run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(300_000);
    await startSharedCluster();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    await stopSharedCluster();
  },
};
