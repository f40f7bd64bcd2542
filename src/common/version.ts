import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The release version. A bundle defines VK_CMD_VERSION at build time; from a
 * checkout it is read from package.json.
 */
export function version(): string {
  const injected = process.env['VK_CMD_VERSION'];
  if (injected) return injected;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '../../../package.json'), path.join(here, 'package.json')]) {
    try {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'vk-cmd' && parsed.version) return parsed.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0-unknown';
}
