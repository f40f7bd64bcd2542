import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { pino } from 'pino';
import {
  ConfigError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PreconditionError,
  ResourceExhaustedError,
  UnavailableError,
} from '../../../../src/common/errors.js';
import { toServiceError } from '../../../../src/common/grpc-errors.js';
import { bearerMatches, readTokenFile } from '../../../../src/runner/server/grpc-server.js';
import type { RunnerHealthSource } from '../../../../src/runner/host/runner-health.js';
import type { NodeInfoProvider } from '../../../../src/runner/host/node-info.js';
import type { PodManager } from '../../../../src/runner/pods/pod-manager.js';
import { RunnerService } from '../../../../src/runner/server/runner-service.js';
import type { StatsCollector } from '../../../../src/runner/host/stats-collector.js';
import { WatchHub } from '../../../../src/runner/server/watch-hub.js';

class FakeCall extends EventEmitter {
  written: unknown[] = [];
  writableLength = 0;
  errors: Array<Partial<grpc.StatusObject>> = [];
  constructor(readonly request: { epoch: string; sinceRevision: number; heartbeatIntervalMs?: number }) {
    super();
    this.on('error', (e: Partial<grpc.StatusObject>) => this.errors.push(e));
  }
  write(e: unknown): boolean {
    this.written.push(e);
    return true;
  }
}

/** A service with no pods over `hub`; `maxQueued` bounds a watcher's queue (the default when not given). */
function service(hub: WatchHub, maxQueued?: number): RunnerService {
  const manager = { podCount: 0, list: () => [] } as unknown as PodManager;
  return new RunnerService(
    manager,
    hub,
    {} as StatsCollector,
    {} as NodeInfoProvider,
    {} as RunnerHealthSource,
    pino({ level: 'silent' }),
    maxQueued,
  );
}

describe('runner-service: WatchPods', () => {
  it('cuts off a consumer whose queue grows past the bound with RESOURCE_EXHAUSTED and unsubscribes it', () => {
    const hub = new WatchHub(100, 'e');
    const handlers = service(hub, 3).handlers();
    const call = new FakeCall({ epoch: '', sinceRevision: 0 });
    handlers.WatchPods(call as never);
    expect(call.written).to.have.length(2); // RESET, SYNCED
    hub.publish('WATCH_EVENT_TYPE_ADDED', (r) => ({ uid: 'a', revision: r }));
    expect(call.written).to.have.length(3);
    call.writableLength = 4;
    hub.publish('WATCH_EVENT_TYPE_MODIFIED', (r) => ({ uid: 'a', revision: r }));
    expect(call.written).to.have.length(3);
    expect(call.errors.map((e) => e.code)).to.deep.equal([grpc.status.RESOURCE_EXHAUSTED]);
    expect(hub.subscriberCount).to.equal(0);
  });

  it('removes the watcher when the client cancels, and ends open streams with UNAVAILABLE at shutdown', () => {
    const hub = new WatchHub(100, 'e');
    const svc = service(hub, 100);
    const a = new FakeCall({ epoch: '', sinceRevision: 0 });
    const b = new FakeCall({ epoch: '', sinceRevision: 0 });
    svc.handlers().WatchPods(a as never);
    svc.handlers().WatchPods(b as never);
    a.emit('cancelled');
    expect(hub.subscriberCount).to.equal(1);
    svc.closeStreams();
    expect(b.errors.map((e) => e.code)).to.deep.equal([grpc.status.UNAVAILABLE]);
    expect(hub.subscriberCount).to.equal(0);
  });
});

describe('runner-service: WatchPods heartbeats', () => {
  /** Resolves with the next event written to `call`. */
  function nextWrite(call: FakeCall): Promise<unknown> {
    return new Promise((resolve) => {
      const write = call.write.bind(call);
      call.write = (e: unknown) => {
        call.write = write;
        resolve(e);
        return write(e);
      };
    });
  }

  it('sends HEARTBEAT with the current revision on a quiet stream that asked for it, none on one that did not', async () => {
    const hub = new WatchHub(100, 'e');
    const svc = service(hub);
    const plain = new FakeCall({ epoch: '', sinceRevision: 0 });
    const asking = new FakeCall({ epoch: '', sinceRevision: 0, heartbeatIntervalMs: 50 });
    svc.handlers().WatchPods(plain as never);
    svc.handlers().WatchPods(asking as never);
    hub.publish('WATCH_EVENT_TYPE_ADDED', (r) => ({ uid: 'a', revision: r }));
    const heartbeat = await nextWrite(asking);
    expect(heartbeat).to.deep.equal({ type: 'WATCH_EVENT_TYPE_HEARTBEAT', revision: 1 });
    expect(asking.written).to.have.length(4); // RESET, SYNCED, ADDED, HEARTBEAT
    expect(plain.written).to.have.length(3); // RESET, SYNCED, ADDED
    asking.emit('cancelled');
    plain.emit('cancelled');
    // A cancelled stream gets nothing more: the next quiet interval of another stream passes first.
    const other = new FakeCall({ epoch: '', sinceRevision: 0, heartbeatIntervalMs: 50 });
    svc.handlers().WatchPods(other as never);
    await nextWrite(other);
    svc.closeStreams();
    expect(asking.written).to.have.length(4);
  });
});

describe('grpc-errors: one mapping from error classes to codes', () => {
  const table: Array<[Error, grpc.status]> = [
    [new InvalidInputError('x'), grpc.status.INVALID_ARGUMENT],
    [new NotFoundError('x'), grpc.status.NOT_FOUND],
    [new PreconditionError('x'), grpc.status.FAILED_PRECONDITION],
    [new ConflictError('x'), grpc.status.ALREADY_EXISTS],
    [new UnavailableError('x'), grpc.status.UNAVAILABLE],
    [new ResourceExhaustedError('x'), grpc.status.RESOURCE_EXHAUSTED],
    [new Error('boom'), grpc.status.INTERNAL],
  ];
  for (const [err, code] of table) {
    it(`${err.name} -> ${grpc.status[code]}`, () => expect(toServiceError(err).code).to.equal(code));
  }
});

describe('grpc-server: bearer token', () => {
  it('matches only the exact token', () => {
    expect(bearerMatches('Bearer s3cret', 's3cret')).to.equal(true);
    expect(bearerMatches('Bearer s3cre', 's3cret')).to.equal(false);
    expect(bearerMatches('s3cret', 's3cret')).to.equal(false);
    expect(bearerMatches(undefined, 's3cret')).to.equal(false);
    expect(bearerMatches('Bearer ', '')).to.equal(false);
  });

  it('refuses a token file that others can read, an empty one, and reads a 0600 one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-token-'));
    try {
      const file = path.join(dir, 'token');
      writeFileSync(file, 'abc\n');
      chmodSync(file, 0o644);
      expect(() => readTokenFile(file)).to.throw(
        ConfigError,
        /--token-file: .* has mode 644; it must be 0600 or stricter/,
      );
      chmodSync(file, 0o600);
      expect(readTokenFile(file)).to.equal('abc');
      writeFileSync(file, '\n');
      expect(() => readTokenFile(file)).to.throw(ConfigError, /is empty/);
      expect(() => readTokenFile(path.join(dir, 'missing'))).to.throw(ConfigError, /cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
