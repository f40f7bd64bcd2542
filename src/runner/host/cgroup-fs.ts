import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../../common/errors.js';
import type { CgroupFsView } from './cgroups-detect.js';

/**
 * The file system under a prefix (`''` for the real one; a fixture
 * directory in tests): detection's read-only view and the few writes the
 * limiter makes.
 */
export class CgroupFs implements CgroupFsView {
  constructor(readonly prefix = '') {}

  private at(p: string): string {
    return this.prefix === '' ? p : path.join(this.prefix, p);
  }

  read(file: string): string | undefined {
    try {
      return readFileSync(this.at(file), 'utf8');
    } catch {
      return undefined;
    }
  }

  writable(file: string): boolean {
    try {
      accessSync(this.at(file), constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  isDir(dir: string): boolean {
    try {
      return statSync(this.at(dir)).isDirectory();
    } catch {
      return false;
    }
  }

  /** mkdir; an existing directory is fine. */
  mkdir(dir: string): void {
    try {
      mkdirSync(this.at(dir));
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }

  write(file: string, value: string): void {
    writeFileSync(this.at(file), value);
  }

  /** rmdir; true when removed or already gone. */
  rmdir(dir: string): boolean {
    try {
      rmdirSync(this.at(dir));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return true;
      throw err;
    }
  }

  subdirs(dir: string): string[] {
    try {
      return readdirSync(this.at(dir), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return [];
    }
  }
}
