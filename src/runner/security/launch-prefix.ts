import type { LaunchSecurity } from './security-types.js';
import { setprivArgs } from './setpriv-args.js';

/**
 * The argv words that run a container's program (and its exec sessions,
 * exec probes and hooks) with the identity, capabilities and no_new_privs
 * its security decision gave it: `setpriv OPTIONS... --`, or undefined when
 * nothing changes or setpriv is absent (then the decision refused or noted
 * every setting that needed it). Pure.
 */
export function launchPrefix(setpriv: string | undefined, launch: LaunchSecurity): string[] | undefined {
  const args = setprivArgs(launch);
  if (setpriv === undefined || args.length === 0) return undefined;
  return [setpriv, ...args, '--'];
}

/** A program to spawn: the file, argv[0] and the rest of argv. */
export interface SpawnTarget {
  file: string;
  argv0: string;
  args: string[];
}

/**
 * Puts a launch prefix in front of a resolved program: the prefix's program
 * is spawned and execs `file` (an absolute path, as execvp found it) with
 * `args`; the program then sees `file` as its argv[0]. Without a prefix the
 * target is returned unchanged. Pure.
 */
export function withLaunchPrefix(prefix: readonly string[] | undefined, target: SpawnTarget): SpawnTarget {
  if (prefix === undefined || prefix.length === 0) return target;
  return { file: prefix[0]!, argv0: prefix[0]!, args: [...prefix.slice(1), target.file, ...target.args] };
}
