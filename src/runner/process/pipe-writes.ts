import { write, writeSync } from 'node:fs';

/** Writes all of `data` to a blocking fd. */
export function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
}

/** Writes all of `data` through the threadpool (a blocking pipe may take it in parts). */
export function writeAllAsync(fd: number, data: Buffer, done: (err: Error | null) => void): void {
  const from = (off: number): void =>
    write(fd, data, off, data.length - off, null, (err, n) => {
      if (err) done(err);
      else if (off + n < data.length) from(off + n);
      else done(null);
    });
  from(0);
}
