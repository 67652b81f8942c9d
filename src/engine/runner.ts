import type { Logger } from 'pino';
import type { ActionRegistry } from '../actions/types.js';
import type { Clock } from '../api/clock.js';
import type { Scope } from '../api/context.js';
import type { TaskKey, TaskRecord } from '../store/mitigation-tasks.js';
import { DatabaseUnavailableError } from '../store/driver.js';
import type { Store } from '../store/store.js';
import { executeTargets, type SubjectLoader } from './execute.js';
import { endStatus } from './lifecycle.js';
import { planChunk } from './plan.js';
import { purgeOld } from './retention.js';

export interface EngineOptions {
  store: Store;
  handlers: ActionRegistry;
  loadSubjects: SubjectLoader;
  clock: Clock;
  log: Logger;
  /** Targets claimed per transaction. */
  batchSize?: number;
  /** Targets planned per transaction. */
  planChunk?: number;
  /** Pause between polls when there is nothing to do. */
  idleMs?: number;
  /** Called after each committed batch (tests and metrics). */
  onBatch?: (task: TaskKey, targets: number) => void;
  /** How often the retention pass runs (D19); default hourly, first one a minute after start. */
  retentionEveryMs?: number;
}

/**
 * The background worker: claim → execute → record, one bounded batch per transaction, tasks
 * taken in turn so none starves and the API never waits long for the database. A crash loses
 * at most the open transaction, which the database rolls back; the next worker (this node after
 * a restart, or another node) finds the targets still PENDING.
 */
export class Engine {
  private timer: NodeJS.Timeout | undefined;
  private retention: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly batchSize: number;
  private readonly chunk: number;
  private readonly idleMs: number;

  constructor(private readonly o: EngineOptions) {
    this.batchSize = o.batchSize ?? 100;
    this.chunk = o.planChunk ?? 2000;
    this.idleMs = o.idleMs ?? 100;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    const every = this.o.retentionEveryMs ?? 3600_000;
    const purge = () => {
      purgeOld(this.o.store, this.o.clock.now()).then(
        (n) => this.o.log.info(n, 'retention pass'),
        (e) => this.o.log.warn({ err: (e as Error).message }, 'retention pass failed'),
      );
      this.retention = setTimeout(purge, every).unref();
    };
    this.retention = setTimeout(purge, Math.min(every, 60_000)).unref();
  }

  /** Look for work now (a task was just started). */
  wake(): void {
    if (this.stopped || this.running) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.retention) clearTimeout(this.retention);
    this.timer = undefined;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const go = () => {
      this.timer = undefined;
      this.running = this.tick()
        .then(
          (busy) => this.schedule(busy ? 0 : this.idleMs),
          (e) => {
            this.o.log.warn({ err: (e as Error).message }, 'mitigation engine batch failed; retrying');
            this.schedule(this.idleMs * 5);
          },
        )
        .finally(() => (this.running = undefined));
    };
    this.timer = ms === 0 ? (setImmediate(go) as unknown as NodeJS.Timeout) : setTimeout(go, ms);
  }

  /** One round over the tasks in progress; true when any work was done. */
  async tick(): Promise<boolean> {
    const tasks = await this.o.store.repos.mitigationTasks.inProgress(50);
    let busy = false;
    for (const task of tasks) {
      if (this.stopped) break;
      if (await this.step(task)) busy = true;
      // Yield between batches so requests interleave with the engine.
      await new Promise((r) => setImmediate(r));
    }
    return busy;
  }

  /**
   * One transaction of work on one task: plan a chunk, or run a batch, or finish it. A batch that
   * fails for a reason other than the database being away runs again at once with a savepoint
   * around every action, so one execution's error becomes its FAILED record, not a stuck task.
   */
  async step(task: TaskRecord & Scope): Promise<boolean> {
    try {
      return await this.attempt(task, false);
    } catch (e) {
      if (e instanceof DatabaseUnavailableError) throw e;
      this.o.log.warn({ err: (e as Error).message, taskId: task.taskId }, 'mitigation batch failed; running it again with a savepoint per action');
      return this.attempt(task, true);
    }
  }

  private async attempt(task: TaskRecord & Scope, careful: boolean): Promise<boolean> {
    const { store, clock, handlers, loadSubjects } = this.o;
    const k: TaskRecord & TaskKey = task;
    let processed = 0;
    const worked = await store.transaction(async (tx) => {
      if (!task.planned) {
        await planChunk(tx, k, this.chunk);
        return true;
      }
      const claimed = await tx.mitigationTasks.claimTargets(k, this.batchSize);
      if (claimed.length === 0) return finishIfDone(tx.mitigationTasks, k, clock);
      const subjects = await loadSubjects(tx, k, claimed.map((c) => c.targetId));
      const current = await tx.mitigationTasks.get(k);
      if (current?.status !== 'IN_PROGRESS') return false; // canceled meanwhile
      await executeTargets(tx, { accountId: k.accountId, region: k.region, clock }, k, claimed, subjects, handlers, careful);
      processed = claimed.length;
      await finishIfDone(tx.mitigationTasks, k, clock);
      return true;
    });
    if (processed) this.o.onBatch?.(k, processed);
    return worked;
  }
}

/** Ends a task whose targets are all done and whose pending deliveries have all come back. */
export async function finishIfDone(repo: Store['repos']['mitigationTasks'], k: TaskKey, clock: Clock): Promise<boolean> {
  const t = await repo.get(k);
  if (!t || t.status !== 'IN_PROGRESS' || !t.planned) return false;
  if (t.doneCount < t.targetCount || t.awaiting > 0) return false;
  return repo.finish(k, endStatus(t.kind, t.kind === 'audit' ? t.failedTargets > 0 : t.failedExecutions > 0), clock.now());
}
