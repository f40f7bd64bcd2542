import { batchedDurableDestination, createRootLogger } from '../common/logger.js';
import { version } from '../common/version.js';
import { repeatedSignalAction } from '../common/repeated-signal.js';
import { ConfigError } from '../common/errors.js';
import { RunnerApp } from './runner-app.js';
import { parseRunnerArgs } from './runner-config.js';
import { runnerHelpText } from './runner-flags.js';

/** Entry point of vk-cmd-runner: flags, the app, and the one owner of process signals. */
async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseRunnerArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vk-cmd-runner: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(runnerHelpText());
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`vk-cmd-runner ${version()}\n`);
    return 0;
  }
  // A line recording a state change is written before the change is published:
  // the watch hub flushes the turn's lines before it delivers an event.
  const log = createRootLogger('vk-cmd-runner', parsed.config.verbosity, batchedDurableDestination());
  const app = new RunnerApp(parsed.config, log);
  let where: string;
  try {
    where = await app.start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vk-cmd-runner: ${err.message}\n`);
      await app.stop();
      return 2;
    }
    throw err;
  }
  const exitCode = new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        if (repeatedSignalAction(signal) === 'ignore') {
          log.info({ signal }, 'Already shutting down');
          return;
        }
        log.warn({ signal }, 'Second signal; exiting now');
        resolve(1);
        return;
      }
      stopping = true;
      log.info({ signal }, 'Shutting down; pod processes keep running');
      app.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err }, 'Shutdown failed');
          resolve(1);
        },
      );
    };
    // Installed before the banner: whoever reads it may signal at once, and a
    // signal with no handler would kill the runner without its shutdown.
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const connect = parsed.config.connect;
  if (connect) {
    const also = where ? ` (and listening on ${where})` : '';
    process.stdout.write(
      `vk-cmd-runner ${version()} connecting to ${connect.target.url} as node ${connect.nodeName}${also}\n`,
    );
  } else process.stdout.write(`vk-cmd-runner ${version()} listening on ${where}\n`);
  return exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Detached pod processes are not ours to wait for; leave once output is flushed.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (err: unknown) => {
    process.stderr.write(
      `vk-cmd-runner: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
