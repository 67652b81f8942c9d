import type { Logger } from 'pino';
import type { ActionRegistry } from '../actions/types.js';
import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import type { TaskKey, TaskProgress, TaskRecord } from '../store/mitigation-tasks.js';
import { DatabaseUnavailableError } from '../store/driver.js';
import type { Store } from '../store/store.js';
import { executeTargets, type SubjectLoader } from './execute.js';
import { endStatus, moveTask } from './lifecycle.js';
import { planChunk } from './plan.js';
import { purgeOld } from './retention.js';
import { WorkLoop } from '../work/loop.js';

/** Tasks visited per round; a round resumes after the last task the previous one served. */
const TASKS_PER_ROUND = 50;

/**
 * How long a batch's transaction should take when the batch size is left to the engine, how long
 * its commit may take (on SQLite a commit holds the event loop: it writes the batch's pages to the
 * WAL), and the size's bounds.
 */
export const BATCH_MS = 200;
export const COMMIT_MS = 30;
export const BATCH_FIRST = 100;
export const BATCH_MIN = 10;
export const BATCH_MAX = 2000;
/**
 * Near a task's end a batch sized by time claims at most a quarter of what is left (but not fewer
 * than BATCH_FIRST), so that several nodes share the last targets instead of one taking them all.
 */
export const TAIL_SHARE = 4;

/** How many targets the next batch of `task` claims: `size`, less near the task's end. */
export function claimSize(size: number, task: Pick<TaskRecord, 'planned' | 'targetCount' | 'doneCount'>): number {
  if (!task.planned) return size;
  return Math.min(size, Math.max(BATCH_FIRST, Math.ceil((task.targetCount - task.doneCount) / TAIL_SHARE)));
}

/** One batch as the sizing sees it: its targets, how long its transaction took, and its commit. */
export interface BatchTiming {
  done: number;
  elapsedMs: number;
  commitMs: number;
}

/**
 * The next batch's size: the targets the last batch would have done in `targetMs` at its rate,
 * and no more than its commit rate fits in `commitMs`, at most twice and at least half the last
 * size, within BATCH_MIN and BATCH_MAX.
 */
export function nextBatchSize(size: number, last: BatchTiming, targetMs: number, commitMs = Infinity): number {
  const byTime = (last.done * targetMs) / Math.max(last.elapsedMs, 1);
  const byCommit = (last.done * commitMs) / Math.max(last.commitMs, 0.1);
  return Math.round(Math.min(BATCH_MAX, 2 * size, Math.max(BATCH_MIN, size / 2, Math.min(byTime, byCommit))));
}

export interface EngineOptions {
  store: Store;
  handlers: ActionRegistry;
  loadSubjects: SubjectLoader;
  clock: Clock;
  log: Logger;
  /** Targets claimed per transaction; when not given, sized by time (batchMs). */
  batchSize?: number;
  /** When batchSize is not given: how long a batch's transaction should take (BATCH_MS), and its commit (COMMIT_MS). */
  batchMs?: number;
  commitMs?: number;
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
 * taken in turn (each round resumes after the task the last one served, so none starves however
 * many are in progress) and the API never waits long for the database. A crash loses
 * at most the open transaction, which the database rolls back; the next worker (this node after
 * a restart, or another node) finds the targets still PENDING.
 */
export class Engine {
  private readonly loop: WorkLoop;
  private readonly retention: WorkLoop;
  /** The next batch's size: fixed (EngineOptions.batchSize), or from the last batch's rate. */
  private batchSize: number;
  private readonly chunk: number;
  /** The last task a round served: the next round starts after it, so no task waits behind older ones. */
  private cursor: { startTime: Date; taskId: string } | undefined;

  constructor(private readonly o: EngineOptions) {
    this.batchSize = o.batchSize ?? BATCH_FIRST;
    this.chunk = o.planChunk ?? 2000;
    this.loop = new WorkLoop({ name: 'mitigation engine', log: o.log, idleMs: o.idleMs ?? 100, round: () => this.tick() });
    const every = o.retentionEveryMs ?? 3600_000;
    this.retention = new WorkLoop({
      name: 'retention pass',
      log: o.log,
      idleMs: every,
      firstDelayMs: Math.min(every, 60_000),
      round: async () => {
        o.log.info(await purgeOld(o.store, o.clock.now()), 'retention pass');
        return false;
      },
    });
  }

  start(): void {
    void this.loop.start();
    void this.retention.start();
  }

  /** Look for work now (a task was just started). */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    await Promise.all([this.loop.stop(), this.retention.stop()]);
  }

  /** One round over up to TASKS_PER_ROUND tasks in progress, after the last one served; true when any work was done. */
  async tick(): Promise<boolean> {
    const tasks = await this.o.store.repos.mitigationTasks.inProgress(TASKS_PER_ROUND, this.cursor);
    let busy = false;
    for (const task of tasks) {
      if (this.loop.closing) break;
      this.cursor = { startTime: task.startTime, taskId: task.taskId };
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
    const started = performance.now();
    let bodyEnded = 0;
    const worked = await store.transaction(async (tx) => {
      // Another node planning the task leaves this one the targets planned so far, rather than a wait for the planning lock.
      if (!task.planned && (await planChunk(tx, k, this.chunk)) !== 'busy') return true;
      const claimed = await tx.mitigationTasks.claimTargets(k, this.o.batchSize ?? claimSize(this.batchSize, task));
      if (claimed.length === 0) return task.planned && finishIfDone(tx.mitigationTasks, k, clock);
      // Claimed: the task was IN_PROGRESS at the claim (claimTargets), and a cancel waits for the claimed rows.
      const subjects = await loadSubjects(tx, k, claimed.map((c) => c.targetId));
      const progress = await executeTargets(tx, { accountId: k.accountId, region: k.region, clock }, k, claimed, subjects, handlers, careful);
      processed = claimed.length;
      await finishIfDone(tx.mitigationTasks, k, clock, progress);
      bodyEnded = performance.now();
      return true;
    });
    if (processed) {
      // A batch as long as batchMs: the commit's cost is shared by as many targets as fit, while
      // other writers wait at most about that long (on SQLite, reads and packets go on meanwhile).
      if (this.o.batchSize === undefined && !careful) {
        const ended = performance.now();
        const timing = { done: processed, elapsedMs: ended - started, commitMs: ended - bodyEnded };
        this.batchSize = nextBatchSize(this.batchSize, timing, this.o.batchMs ?? BATCH_MS, this.o.commitMs ?? COMMIT_MS);
      }
      this.o.onBatch?.(k, processed);
    }
    return worked;
  }
}

/** Ends a task whose targets are all done and whose pending deliveries have all come back; `progress`: its counters as just written, else read. */
export async function finishIfDone(repo: Store['repos']['mitigationTasks'], k: TaskKey, clock: Clock, progress?: TaskProgress): Promise<boolean> {
  const t = progress ?? (await repo.get(k));
  if (!t || t.status !== 'IN_PROGRESS' || !t.planned) return false;
  if (t.doneCount < t.targetCount || t.awaiting > 0) return false;
  return moveTask(repo, k, endStatus(k.kind, k.kind === 'audit' ? t.failedTargets > 0 : t.failedExecutions > 0), clock.now());
}
