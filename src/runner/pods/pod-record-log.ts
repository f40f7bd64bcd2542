import type { PodRecord } from './pod-record.js';

/*
 * The text of a pod's record file: a log of its saves, one JSON text per
 * line, each ending in "\n"; the last complete line is the record. A save
 * is one append, so a runner killed inside it leaves at most an unfinished
 * last line (a prefix of the text, which never parses: the closing brace
 * comes last). An earlier runner wrote the record as one JSON text without
 * the newline; that reads as an unterminated last line.
 */

/** What the file needs before the next append can follow it. */
export type LogRepair =
  /** Ends with a complete line: append as it is. */
  | 'none'
  /** The last line is complete but lacks its "\n" (an earlier runner's record, or a save cut just before it). */
  | 'terminate'
  /** The last line is an unfinished save: it must go before anything is appended. */
  | 'drop-torn-tail';

/** Parses one record's JSON text; throws on anything else. Pure. */
export function parseRecord(text: string): PodRecord {
  const record = JSON.parse(text) as PodRecord;
  if (record.version !== 1 || !record.uid || !Array.isArray(record.containers))
    throw new Error('unknown format');
  return record;
}

/**
 * The record a file's text holds, and what the file needs before the next
 * append; undefined when no save in it was finished (a first save cut). A
 * complete last line that does not parse (damage, not a cut save) throws:
 * an older line is not taken in its place, since the pod may have moved on
 * from it. Pure.
 */
export function recordFromLog(
  text: string,
): { record: PodRecord; line: string; repair: LogRepair } | undefined {
  if (text.endsWith('\n')) {
    const line = text.slice(text.lastIndexOf('\n', text.length - 2) + 1, -1);
    return { record: parseRecord(line), line, repair: 'none' };
  }
  const lastBreak = text.lastIndexOf('\n');
  const tail = text.slice(lastBreak + 1);
  const whole = tryParse(tail);
  if (whole) return { record: whole, line: tail, repair: 'terminate' };
  if (lastBreak < 0) return undefined;
  const line = text.slice(text.lastIndexOf('\n', lastBreak - 1) + 1, lastBreak);
  return { record: parseRecord(line), line, repair: 'drop-torn-tail' };
}

function tryParse(text: string): PodRecord | undefined {
  try {
    return parseRecord(text);
  } catch {
    return undefined;
  }
}
