/** A terminal size as the resize stream carries it (remotecommand.TerminalSize). */
export interface TerminalSize {
  width: number;
  height: number;
}

/**
 * Reads the resize stream: JSON objects `{"Width":80,"Height":24}` one after
 * another, split across chunks anywhere, as Go's json.Decoder reads them.
 * `push` returns the sizes completed by a chunk. Malformed objects are
 * skipped (the kubelet stops reading the stream; skipping is kinder). Pure.
 */
export class TerminalSizeDecoder {
  private text = '';

  push(chunk: Buffer | string): TerminalSize[] {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const sizes: TerminalSize[] = [];
    for (;;) {
      const start = this.text.indexOf('{');
      if (start < 0) {
        this.text = '';
        return sizes;
      }
      const end = objectEnd(this.text, start);
      if (end < 0) {
        this.text = this.text.slice(start);
        if (this.text.length > 4096) this.text = '';
        return sizes;
      }
      const size = parseSize(this.text.slice(start, end + 1));
      if (size) sizes.push(size);
      this.text = this.text.slice(end + 1);
    }
  }
}

function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function parseSize(json: string): TerminalSize | undefined {
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    // Go's decoder matches field names case-insensitively.
    const field = (name: string): number => {
      const key = Object.keys(value).find((k) => k.toLowerCase() === name);
      const n = key === undefined ? 0 : Number(value[key]);
      return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : 0;
    };
    return { width: field('width'), height: field('height') };
  } catch {
    return undefined;
  }
}
