// The setup the audit check tests share: an in-process server on a ManualClock for one describe
// block (started in before(), closed with its data folder or schema in after()), SDK clients per
// region, and the CheckContext a check's run() takes. Each test file specialises the context where
// its checks need to (another `now`, a configuration, a window, a signal).
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { IoTClient } from '@aws-sdk/client-iot';
import { DEFAULT_SKEW_MS } from '../../src/api/sigv4.js';
import { DAY_MS, type AuditCheck, type CheckContext, type CheckResult } from '../../src/audit/check.js';
import { AUDIT_CHECKS } from '../../src/audit/checks/index.js';
import { ManualClock, type WardenServer } from '../../src/index.js';
import { iot, type Backend } from '../harness.js';
import { inProcess, type InProcess } from './audit-config-helpers.js';

export type Evaluated = Extract<CheckResult, { status: 'evaluated' }>;

/** The result of a check that evaluated (anything else fails the test, showing the result). */
export function ok(r: CheckResult): Evaluated {
  assert.equal(r.status, 'evaluated', JSON.stringify(r));
  return r as Evaluated;
}

/**
 * Each check is the one AUDIT_CHECKS holds under its API name, with its severity: `expected` pairs a
 * check with "NAME:SEVERITY" (or "NAME" alone, to leave its severity out).
 */
export function assertRegistered(...expected: [check: AuditCheck, nameAndSeverity: string][]): void {
  for (const [check, want] of expected) assert.equal(AUDIT_CHECKS.get(want.split(':')[0]), check, want);
  assert.deepEqual(
    expected.map(([c, want]) => (want.includes(':') ? `${c.name}:${c.severity}` : c.name)),
    expected.map(([, want]) => want),
  );
}

export interface CheckServerOptions {
  /** The clock's start (default: the real time at describe). */
  start?: Date;
  /** A fixed task id for every context; without it each context's id is `audit-<now in ms>`. */
  taskId?: string;
}

export interface CheckServer {
  /** Exists from the start, so a describe body can read the time before the server runs. */
  readonly clock: ManualClock;
  /** The running server (from before() on). */
  readonly server: WardenServer;
  readonly url: string;
  /** An SDK client for `region`, destroyed in after(). */
  client(region: string): IoTClient;
  /**
   * An on-demand audit of `region` in account 000000000000 at `now` (default: the clock's time),
   * with no configuration, a window of 31 days before `now` and a fresh signal; `overrides` win.
   */
  checkContext(region: string, overrides?: Partial<CheckContext>): CheckContext;
}

/** Registers the before/after hooks of one describe block; `name` tags its temp data folder. */
export function useCheckServer(backend: Backend, name: string, opts: CheckServerOptions = {}): CheckServer {
  const clock = new ManualClock(opts.start ?? new Date());
  const clients: IoTClient[] = [];
  let running: InProcess | undefined;
  const started = (): InProcess => {
    if (!running) throw new Error('the check server starts in before()');
    return running;
  };

  before(async () => {
    // The server's default skew: these tests keep the server's clock near real time and put an
    // audit in the future through its `now` instead.
    running = await inProcess(backend, clock, { skewMs: DEFAULT_SKEW_MS, dirPrefix: `warden-checks-${name}-` });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await running?.cleanup();
  });

  return {
    clock,
    get server() {
      return started().server;
    },
    get url() {
      return started().url;
    },
    client(region) {
      const c = iot(started().url, undefined, region);
      clients.push(c);
      return c;
    },
    checkContext(region, overrides = {}) {
      const now = overrides.now ?? clock.now();
      return {
        repos: started().server.store.repos,
        scope: { accountId: '000000000000', region },
        taskId: opts.taskId ?? `audit-${now.getTime()}`,
        now,
        configuration: {},
        taskType: 'ON_DEMAND_AUDIT_TASK',
        windowStart: now.getTime() - 31 * DAY_MS,
        signal: new AbortController().signal,
        ...overrides,
      };
    },
  };
}
