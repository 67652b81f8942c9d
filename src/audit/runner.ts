import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../base/clock.js';
import type { Store } from '../store/store.js';
import { breathe } from './check.js';
import { AUDIT_CHECKS } from './checks/index.js';
import { readAuditConfiguration } from './configuration.js';
import { startDueScheduledAudits } from './scheduler.js';
import { evaluateCheck, recordCheck } from './run-check.js';
import { ON_DEMAND_WINDOW_MS } from './start.js';
import { notifyAuditEnd } from './notify.js';
import { activeSuppressions } from './suppressions.js';
import type { AuditTaskRecord } from '../store/audit-tasks.js';
import { WorkLoop } from '../work/loop.js';

/** A check Warden does not evaluate still needs a severity for its (absent) findings. */
const severityOf = (name: string): string => AUDIT_CHECKS.get(name)?.severity ?? 'LOW';

interface AuditRunnerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Whether an SNS delivery worker publishes the outbox (else notifications stay STORED). */
  snsDelivery: boolean;
  /** Called when a notification was written (wakes the delivery worker). */
  onNotify?: () => void;
  /** How long a node holds a task before another may take it over. */
  leaseMs?: number;
  idleMs?: number;
}

/**
 * The background worker that runs audits: starts the scheduled audits that are due, then takes
 * an IN_PROGRESS audit task under a lease and evaluates its checks one at a time. Each check's
 * findings, suppression marks and auditDetails commit in one transaction, so a crash loses at
 * most the check being evaluated, which the next holder of the lease evaluates again. When the
 * last check is in, the task ends COMPLETED and its notification goes to the outbox in the same
 * transaction.
 */
export class AuditRunner {
  private readonly owner = `audit-${randomUUID()}`;
  private readonly leaseMs: number;
  private readonly loop: WorkLoop;

  constructor(private readonly o: AuditRunnerOptions) {
    this.leaseMs = o.leaseMs ?? 30_000;
    const { store } = o;
    this.loop = new WorkLoop({
      name: 'audit runner',
      log: o.log,
      idleMs: o.idleMs ?? 1000,
      round: () => this.tick(),
      // One SQLite file has one server process: leases left by a process that died are stale.
      before: async () => {
        if (store.dialect === 'sqlite') await store.repos.auditTasks.releaseAllLeases();
      },
      after: async () => {
        await store.repos.auditTasks.releaseLeases(this.owner);
      },
    });
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Stops between checks: the check being evaluated is aborted and evaluated again by the next holder. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: due schedules, then one runnable task to its end (or until stopped). True when work was done. */
  async tick(): Promise<boolean> {
    const { store, clock } = this.o;
    const started = await startDueScheduledAudits(store, clock.now());
    await this.notifyEnded();
    const now = clock.now();
    const task = await store.transaction((tx) => tx.auditTasks.claim(this.owner, now, new Date(now.getTime() + this.leaseMs)));
    if (!task) return started.length > 0;
    await this.runTask(task);
    return true;
  }

  /** Notifications of tasks that ended outside the runner (CancelAuditTask). */
  private async notifyEnded(): Promise<void> {
    const { store, clock } = this.o;
    let wrote = false;
    for (const t of await store.repos.auditTasks.endedUnnotified(50)) {
      const { scope } = t;
      const config = await readAuditConfiguration(store.repos, scope);
      const written = await store.transaction(async (tx) => {
        const ok = await notifyAuditEnd(tx, scope, t.taskId, config, this.o.snsDelivery, clock.now());
        if (!ok) await tx.auditTasks.markNotified(scope, t.taskId); // no target: nothing owed
        return ok;
      });
      wrote ||= written;
    }
    if (wrote) this.o.onNotify?.();
  }

  /** Evaluates the task's remaining checks under the lease, then ends it. */
  async runTask(task: AuditTaskRecord): Promise<void> {
    const { store, clock, log } = this.o;
    const { scope, taskId } = task;
    const config = await readAuditConfiguration(store.repos, scope);
    const suppressions = await activeSuppressions(store.repos, scope, task.taskStartTime);
    for (;;) {
      if (this.loop.closing) return;
      const now = clock.now();
      if (!(await store.repos.auditTasks.lease(scope, taskId, this.owner, now, new Date(now.getTime() + this.leaseMs)))) return;
      const pending = (await store.repos.auditTasks.checks(scope, taskId)).find((c) => c.checkRunStatus === 'IN_PROGRESS');
      if (!pending) break;
      await breathe();
      const started = Date.now();
      const result = await evaluateCheck(AUDIT_CHECKS.get(pending.checkName), {
        repos: store.repos,
        scope,
        taskId,
        now: task.taskStartTime,
        configuration: config.checks[pending.checkName]?.configuration ?? {},
        taskType: task.taskType as 'ON_DEMAND_AUDIT_TASK' | 'SCHEDULED_AUDIT_TASK',
        windowStart: task.windowStart?.getTime() ?? task.taskStartTime.getTime() - ON_DEMAND_WINDOW_MS,
        signal: this.loop.signal,
      }, pending.checkName, log);
      if (this.loop.closing) return;
      const recorded = await store.transaction((tx) => recordCheck(tx, scope, task, pending.checkName, severityOf(pending.checkName), result, suppressions, this.owner, clock.now()));
      log.info({ taskId, check: pending.checkName, ms: Date.now() - started, recorded }, 'audit check evaluated');
      if (!recorded) return; // canceled, or the lease went to another node
    }
    const notified = await store.transaction(async (tx) => {
      if ((await tx.auditTasks.end(scope, taskId, 'COMPLETED', clock.now())) === 0) return false;
      return notifyAuditEnd(tx, scope, taskId, config, this.o.snsDelivery, clock.now());
    });
    if (notified) this.o.onNotify?.();
  }
}
