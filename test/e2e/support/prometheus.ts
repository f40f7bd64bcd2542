import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { dumpYaml } from '@kubernetes/client-node';
import { freePort } from '../../support/free-port.js';
import { TOOLS_BIN } from './paths.js';
import { eventually } from './wait.js';

export const PROMETHEUS = path.join(TOOLS_BIN, 'prometheus');
export const PROMTOOL = path.join(TOOLS_BIN, 'promtool');

/** One sample of an instant vector from the Prometheus HTTP API. */
export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromRule {
  name: string;
  type: 'recording' | 'alerting';
  health: string;
  lastError?: string;
  state?: string;
}

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

function getJson<T>(port: number, pathAndQuery: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${pathAndQuery}: ${res.statusCode} ${body}`));
        else resolve((JSON.parse(body) as { data: T }).data);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${pathAndQuery}: no answer`)));
    req.on('error', reject);
  });
}

/**
 * A real Prometheus server on loopback: a temp dir for its configuration
 * (prometheus.yml), files beside it and its TSDB; queried over its HTTP API.
 * `stop` kills it and removes the dir.
 */
export class PrometheusServer {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-prometheus-'));
  readonly logPath = path.join(this.dir, 'prometheus.log');
  port = 0;
  private child: ChildProcess | undefined;

  /** Writes a file beside the configuration (rules, tokens) and returns its path. */
  writeFile(name: string, content: string, mode = 0o600): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, content, { mode });
    return file;
  }

  get configPath(): string {
    return path.join(this.dir, 'prometheus.yml');
  }

  /** Starts Prometheus with `config` (prometheus.yml as an object); resolves once its API answers. */
  async start(config: object): Promise<void> {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing; run make tools`);
    writeFileSync(this.configPath, dumpYaml(config));
    this.port = await freePort();
    const log = createWriteStream(this.logPath);
    this.child = spawn(
      PROMETHEUS,
      [
        `--config.file=${this.configPath}`,
        `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    await eventually(
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`prometheus exited:\n${this.logTail()}`);
        return getJson<unknown>(this.port, '/api/v1/status/buildinfo').then(
          () => true,
          () => false,
        );
      },
      30_000,
      'Prometheus answers',
    );
  }

  logTail(lines = 30): string {
    return existsSync(this.logPath)
      ? readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n')
      : '';
  }

  query(promql: string): Promise<PromSeries[]> {
    return getJson<{ result: PromSeries[] }>(
      this.port,
      `/api/v1/query?query=${encodeURIComponent(promql)}`,
    ).then((d) => d.result);
  }

  async rules(): Promise<PromRule[]> {
    const data = await getJson<{ groups: Array<{ rules: PromRule[] }> }>(this.port, '/api/v1/rules');
    return data.groups.flatMap((g) => g.rules);
  }

  async alerts(): Promise<PromAlert[]> {
    return (await getJson<{ alerts: PromAlert[] }>(this.port, '/api/v1/alerts')).alerts;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    if (!process.env['KEEP_E2E_NODE_DIRS']) rmSync(this.dir, { recursive: true, force: true });
  }
}
