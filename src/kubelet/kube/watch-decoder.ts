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
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const events: WatchEvent[] = [];
    for (const line of lines) {
      const event = decodeLine(line);
      if (event) events.push(event);
    }
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
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new WatchDecodeError(`watch stream line is not JSON: ${trimmed.slice(0, 120)}`);
  }
  const event = parsed as { type?: unknown; object?: unknown };
  if (typeof event.type !== 'string' || !TYPES.has(event.type) || typeof event.object !== 'object') {
    throw new WatchDecodeError(`watch stream line is not a watch event: ${trimmed.slice(0, 120)}`);
  }
  return event as WatchEvent;
}
