/** One event of a Kubernetes watch stream (`?watch=1`, JSON). */
export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** A watch stream line that is not a watch event. */
export class WatchDecodeError extends Error {
  override readonly name = 'WatchDecodeError';
}

/**
 * Splits a JSON watch stream into events. The API server writes one event per
 * line, but chunks may end anywhere, so a partial line is kept for the next
 * chunk. Pure: no IO, no timers.
 */
export class WatchDecoder {
  private partial = '';

  /** Feeds a decoded text chunk; returns the events it completed. Throws WatchDecodeError on a bad line. */
  push(chunk: string): WatchEvent[] {
    // Lines are cut out of the chunk where they lie: joining the chunk to the
    // partial line first would copy every chunk (a pod event is a few KB).
    const events: WatchEvent[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      const line = this.partial === '' ? piece : this.partial + piece;
      this.partial = '';
      const event = decodeLine(line);
      if (event) events.push(event);
      start = nl + 1;
    }
    if (start < chunk.length) this.partial += start === 0 ? chunk : chunk.slice(start);
    return events;
  }

  /** The stream ended: a complete last line without a newline still counts. */
  end(): WatchEvent[] {
    const rest = this.partial;
    this.partial = '';
    const event = decodeLine(rest);
    return event ? [event] : [];
  }
}

function decodeLine(line: string): WatchEvent | undefined {
  let parsed: unknown;
  try {
    // JSON.parse skips surrounding whitespace itself; only a line it refuses is trimmed.
    parsed = JSON.parse(line);
  } catch {
    const trimmed = line.trim();
    if (trimmed === '') return undefined;
    throw new WatchDecodeError(`watch stream line is not JSON: ${trimmed.slice(0, 120)}`);
  }
  const event = parsed as { type?: unknown; object?: unknown };
  if (typeof event.type !== 'string' || !TYPES.has(event.type) || typeof event.object !== 'object') {
    throw new WatchDecodeError(`watch stream line is not a watch event: ${line.trim().slice(0, 120)}`);
  }
  return event as WatchEvent;
}
