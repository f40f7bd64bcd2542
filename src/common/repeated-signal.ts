/**
 * What a signal received while already shutting down means. Supervisors
 * (Slurm's scancel together with a batch script's trap, systemd, container
 * runtimes) often deliver SIGTERM to the same process more than once, and a
 * repeat must not cut the graceful shutdown short: the shutdown's own
 * timeout bounds it. A second SIGINT is someone pressing Ctrl-C again, and
 * forces the exit. Pure.
 */
export function repeatedSignalAction(signal: NodeJS.Signals): 'force-exit' | 'ignore' {
  return signal === 'SIGINT' ? 'force-exit' : 'ignore';
}
