import { readFileSync, statSync } from 'node:fs';
import { invalidSetting } from '../errors.js';
import { parseTokenGrants, type TokenGrant } from './runner-grants.js';

/**
 * Reads a private key or token file, refusing one that group or others can
 * read (the message names the fix). Throws ConfigError naming `setting`.
 */
export function readSecretFile(setting: string, file: string): Buffer {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw invalidSetting(setting, `cannot read ${file}: ${(err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw invalidSetting(
      setting,
      `${file} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}; it must be 0600 or stricter (chmod 600 ${file})`,
    );
  }
  try {
    return readFileSync(file);
  } catch (err) {
    throw invalidSetting(setting, `cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * The --accept-runners-tokens file, read again whenever its modification
 * time or size changes, so tokens can be added and revoked without a
 * restart. A file that turns unreadable, loose or malformed makes
 * current() throw (runners are then refused) until it is fixed.
 */
export class TokenGrantsFile {
  private stamp = '';
  private grants: readonly TokenGrant[] = [];

  constructor(
    private readonly file: string,
    private readonly setting = '--accept-runners-tokens',
  ) {}

  /** The grants; throws ConfigError when the file cannot be used. */
  current(): readonly TokenGrant[] {
    let stamp: string;
    try {
      const st = statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}:${st.mode}`;
    } catch (err) {
      throw invalidSetting(this.setting, `cannot read ${this.file}: ${(err as Error).message}`);
    }
    if (stamp === this.stamp) return this.grants;
    const text = readSecretFile(this.setting, this.file).toString('utf8');
    try {
      this.grants = parseTokenGrants(text);
    } catch (err) {
      throw invalidSetting(this.setting, `${this.file}: ${(err as Error).message}`);
    }
    this.stamp = stamp;
    return this.grants;
  }
}
