import { crashPoint } from '../crash-points.js';
import { graceAfterHookMs, MINIMUM_STOP_GRACE_MS } from '../probes/container-stop.js';
import type { DeletionDeps, DeletionHost } from './deletion-host.js';
import { PodKiller } from './pod-killer.js';
import type { ContainerRecord, PodRecord } from './pod-record.js';

/** How often strays (processes that left the pod's groups) are looked at while deletion waits for them. */
const STRAY_RECHECK_MS = 200;
/** How long strays may outlive SIGKILL (uninterruptible sleep, someone else's process) before deletion gives up on them. */
const STRAY_KILL_WAIT_MS = 5_000;

/**
 * Deleting one pod: SIGTERM to its groups and strays, SIGKILL when the grace
 * period is over, and the end once every container terminated and no stray
 * is left (checked again while waiting, so deletion ends as soon as that is
 * true, not at the end of the grace period). Progress is kept in the record
 * (termSent, killSent, each container's killed), so a restarted runner
 * neither sends SIGTERM twice nor forgets that SIGKILL was needed.
 */
export class PodDeletion {
  private readonly killer: PodKiller;
  private killTimer: unknown;
  private recheckTimer: unknown;
  private checking = false;
  private killSentAtMs: number | undefined;
  private over = false;

  constructor(
    private readonly host: DeletionHost,
    private readonly deps: DeletionDeps,
  ) {
    this.killer = new PodKiller({ uid: host.record.uid, podDir: host.record.podDir }, host.key, {
      scanner: deps.scanner,
      readProcess: (pid) => deps.table.read(pid),
      signalGroup: deps.signalGroup,
      signalProcess: deps.signalProcess,
      log: deps.log,
    });
  }

  private get record(): PodRecord {
    return this.host.record;
  }

  /** Begins deleting, or shortens the grace period of a deletion under way (a later, shorter one wins). */
  begin(gracePeriodSeconds: number): void {
    // Finished already, its directory still being removed: nothing left to shorten.
    if (this.over) return;
    const r = this.record;
    const now = this.deps.clock.nowMs();
    if (r.deleting) {
      const oldDeadline = r.deleteStartedAtMs + r.gracePeriodSeconds * 1000;
      if (now + gracePeriodSeconds * 1000 >= oldDeadline) return;
      r.deleteStartedAtMs = now;
      r.gracePeriodSeconds = gracePeriodSeconds;
      if (!r.killSent) this.armKill(gracePeriodSeconds * 1000);
      this.host.changed();
      return;
    }
    r.deleting = true;
    r.deleteStartedAtMs = now;
    r.gracePeriodSeconds = gracePeriodSeconds;
    this.host.cancelRestarts();
    this.deps.log.info({ pod: this.host.key, uid: r.uid, gracePeriodSeconds }, 'Deleting pod');
    this.host.changed();
    if (!this.everStarted()) {
      this.finish();
      return;
    }
    const graceMs = gracePeriodSeconds * 1000;
    const before = this.host.beforeTerm?.(graceMs);
    if (!before) {
      this.armKill(graceMs);
      this.sendTerm();
      return;
    }
    // preStop counts against the grace period (it is cut at its end), but SIGTERM then gets
    // at least 2 s, as the kubelet's killContainer gives; the kill timer meanwhile only
    // guards against a hook that never settles.
    this.armKill(graceMs + MINIMUM_STOP_GRACE_MS);
    void before.then((hookRan) => {
      if (this.over || this.record.killSent) return;
      const elapsedMs = this.deps.clock.nowMs() - r.deleteStartedAtMs;
      const deadlineMs = r.gracePeriodSeconds * 1000;
      this.armKill(hookRan ? graceAfterHookMs(deadlineMs, elapsedMs) : deadlineMs - elapsedMs);
      this.sendTerm();
    });
  }

  /** Continues a deletion a previous runner began; SIGTERM is only sent if it never went out. */
  resume(): void {
    const r = this.record;
    if (!this.everStarted()) {
      this.finish();
      return;
    }
    if (!r.termSent) this.sendTerm();
    this.armKill(r.deleteStartedAtMs + r.gracePeriodSeconds * 1000 - this.deps.clock.nowMs());
    this.check();
  }

  /** A container of the pod terminated. */
  containerEnded(): void {
    this.check();
  }

  /**
   * A run whose start was in flight when deletion began has started (or was
   * found from evidence): it gets the signal already sent to the others
   * (SIGKILL once the grace period is over, SIGTERM once that went out;
   * before either, it is among the groups they will be sent to).
   */
  runStarted(c: ContainerRecord): void {
    if (this.over || !this.record.deleting || c.pgid <= 0) return;
    const sig = this.record.killSent ? 'SIGKILL' : this.record.termSent ? 'SIGTERM' : undefined;
    if (!sig) return;
    if (sig === 'SIGKILL') c.killed = true;
    this.deps.signalGroup(c.pgid, sig);
    this.deps.log.info(
      { pod: this.host.key, container: c.name, pgid: c.pgid, signal: sig },
      'Signalled a run started during deletion',
    );
    if (sig === 'SIGKILL') this.deps.monitor.checkSoon();
    this.host.changed();
  }

  private launching(): boolean {
    return this.host.launching?.() === true;
  }

  /** Stops the timers without touching processes (runner shutdown). */
  detach(): void {
    this.over = true;
    for (const t of [this.killTimer, this.recheckTimer]) if (t !== undefined) this.deps.clock.clearTimeout(t);
    this.killTimer = undefined;
    this.recheckTimer = undefined;
  }

  /** A pod that never started a process has nothing to stop. */
  private everStarted(): boolean {
    return this.record.containers.some((c) => c.pgid > 0 || !!c.launchToken);
  }

  private runningPgids(): number[] {
    return this.host.running().map((c) => c.pgid);
  }

  /**
   * When nothing of the pod runs: the latest time one of its runs was seen to
   * end (the pod's processes were all gone by then), else undefined.
   */
  private endedAtMs(): number | undefined {
    if (this.host.running().length > 0) return undefined;
    let latest = 0;
    for (const c of this.record.containers) {
      for (const s of [c.state, c.lastState]) {
        if (s?.state === 'terminated') latest = Math.max(latest, s.terminated.finishedAtMs);
      }
    }
    return latest;
  }

  private sendTerm(): void {
    this.killer.signal(
      () => this.runningPgids(),
      'SIGTERM',
      (groups, strays) => {
        if (this.over) return;
        crashPoint('delete.after-sigterm');
        this.record.termSent = true;
        // This snapshot already shows that nothing is left: the record goes with the pod, so
        // termSent is neither saved nor published (a restart before the removal ends sends
        // SIGTERM to nothing again and finishes; the deletion itself was saved when it began).
        if (groups.length === 0 && strays === 0 && this.host.running().length === 0 && !this.launching()) {
          this.finish();
          return;
        }
        this.host.changed();
        if (groups.length > 0) this.deps.log.debug({ pod: this.host.key, pgids: groups }, 'Sent SIGTERM');
        this.check();
      },
      this.endedAtMs(),
    );
  }

  private armKill(delayMs: number): void {
    if (this.killTimer !== undefined) this.deps.clock.clearTimeout(this.killTimer);
    this.killTimer = undefined;
    if (delayMs <= 0) {
      this.killNow();
      return;
    }
    this.killTimer = this.deps.clock.setTimeout(
      () =>
        this.guarded('kill', () => {
          this.killTimer = undefined;
          this.killNow();
        }),
      delayMs,
    );
  }

  private killNow(): void {
    this.killer.signal(
      () => this.runningPgids(),
      'SIGKILL',
      (groups) => {
        if (this.over) return;
        crashPoint('delete.after-sigkill');
        for (const c of this.host.running()) if (groups.includes(c.pgid)) c.killed = true;
        this.record.killSent = true;
        this.killSentAtMs = this.deps.clock.nowMs();
        this.host.changed();
        if (groups.length > 0) {
          this.deps.log.info({ pod: this.host.key, pgids: groups }, 'Grace period over; sent SIGKILL');
        }
        this.deps.monitor.checkSoon();
        this.check();
      },
    );
  }

  private check(): void {
    if (this.over || !this.record.deleting || this.checking) return;
    if (this.host.running().length > 0 || this.launching()) return;
    this.checking = true;
    this.killer.checkStrays((alive) =>
      this.guarded('check', () => {
        this.checking = false;
        if (this.over || this.host.running().length > 0 || this.launching()) return;
        const sinceKillMs =
          this.killSentAtMs === undefined ? undefined : this.deps.clock.nowMs() - this.killSentAtMs;
        if (alive && sinceKillMs !== undefined && sinceKillMs >= STRAY_KILL_WAIT_MS) {
          this.deps.log.warn(
            { pod: this.host.key },
            'Processes survived SIGKILL; finishing the deletion without them',
          );
        }
        if (!alive || (sinceKillMs !== undefined && sinceKillMs >= STRAY_KILL_WAIT_MS)) {
          this.finish();
          return;
        }
        if (this.recheckTimer !== undefined) return;
        this.recheckTimer = this.deps.clock.setTimeout(() => {
          this.recheckTimer = undefined;
          this.check();
        }, STRAY_RECHECK_MS);
      }),
    );
  }

  private finish(): void {
    if (this.over) return;
    this.detach();
    this.host.finished();
  }

  /** Runs a callback; a failure is logged instead of crashing the runner. */
  private guarded(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.log.error({ err, pod: this.host.key, what }, 'Pod deletion step failed');
    }
  }
}
