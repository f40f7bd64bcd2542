import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import { fromRunnerError } from './api-errors.js';

/** One GetStats call with a deadline; rejects with the classes of api-errors.ts. */
export function fetchRunnerStats(runner: RunnerClient, timeoutMs: number): Promise<Stats__Output> {
  return new Promise((resolve, reject) => {
    runner.getStats({}, { deadline: Date.now() + timeoutMs }, (err, value) => {
      if (err) reject(fromRunnerError(err));
      else if (!value) reject(new Error('runner returned no stats'));
      else resolve(value);
    });
  });
}
