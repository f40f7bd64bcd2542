import { EventEmitter } from 'node:events';
import type { LeaderExits } from './group-monitor.js';

/**
 * One leader's exit as LeaderExits: the launcher may push it before the
 * start's caller (who learns of the start a microtask later) listens, so the
 * first 'exit' or 'lost' is kept and replayed to listeners that come later.
 */
export class LatchedExits implements LeaderExits {
  private readonly emitter = new EventEmitter();
  private told:
    { event: 'exit'; code: number | null; signal: NodeJS.Signals | null } | { event: 'lost' } | undefined;

  tell(event: 'exit', code: number | null, signal: NodeJS.Signals | null): void;
  tell(event: 'lost'): void;
  tell(event: 'exit' | 'lost', code?: number | null, signal?: NodeJS.Signals | null): void {
    if (this.told) return;
    this.told = event === 'exit' ? { event, code: code ?? null, signal: signal ?? null } : { event };
    if (event === 'exit') this.emitter.emit('exit', code ?? null, signal ?? null);
    else this.emitter.emit('lost');
  }

  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'lost', listener: () => void): this;
  once(event: 'exit' | 'lost', listener: (...args: never[]) => void): this {
    const told = this.told;
    if (!told) {
      this.emitter.once(event, listener as (...args: unknown[]) => void);
      return this;
    }
    if (told.event !== event) return this;
    queueMicrotask(() =>
      told.event === 'exit'
        ? (listener as (c: number | null, s: NodeJS.Signals | null) => void)(told.code, told.signal)
        : (listener as () => void)(),
    );
    return this;
  }
}
