import type { Selectable } from 'kysely';
import type { Scope } from '../base/scope.js';
import { claim } from './claim.js';
import type { Driver } from './driver.js';
import type { TaskKind } from './mitigation-tasks.js';
import type { SnsOutboxTable } from './schema.generated.js';
import { all, insertRows, prepared, qb, run } from './sql.js';

/** STORED: kept for reading only (no SNS endpoint); PENDING: waiting for delivery; then DELIVERED or FAILED. */
export type OutboxState = 'STORED' | 'PENDING' | 'DELIVERED' | 'FAILED';

/** The execution a message belongs to, so delivery can finish it. */
export interface OutboxExecutionKey extends Scope {
  kind: TaskKind;
  taskId: string;
  /** The finding id (audit) or violation id (detect). */
  targetId: string;
  actionName: string;
}

export interface OutboxMessage {
  seq: number;
  messageId: string;
  key: OutboxExecutionKey;
  topicArn: string;
  /** The JSON text published as the SNS message. */
  message: string;
  state: OutboxState;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt?: Date;
  snsMessageId?: string;
  errorCode?: string;
  lastError?: string;
}

const COLUMNS = [
  'seq', 'message_id', 'account_id', 'region', 'topic_arn', 'message', 'task_kind', 'task_id', 'target_id', 'action_name', 'state', 'created_at',
  'attempts', 'next_attempt_at', 'delivered_at', 'sns_message_id', 'error_code', 'last_error',
] as const;
type Row = Pick<Selectable<SnsOutboxTable>, (typeof COLUMNS)[number]>;

const fromRow = (r: Row): OutboxMessage => ({
  seq: Number(r.seq),
  messageId: r.message_id,
  key: { accountId: r.account_id, region: r.region, kind: r.task_kind as TaskKind, taskId: r.task_id, targetId: r.target_id, actionName: r.action_name },
  topicArn: r.topic_arn,
  message: r.message,
  state: r.state as OutboxState,
  createdAt: new Date(Number(r.created_at)),
  attempts: Number(r.attempts),
  nextAttemptAt: new Date(Number(r.next_attempt_at)),
  deliveredAt: r.delivered_at === null ? undefined : new Date(Number(r.delivered_at)),
  snsMessageId: r.sns_message_id ?? undefined,
  errorCode: r.error_code ?? undefined,
  lastError: r.last_error ?? undefined,
});

/** A new message: what PUBLISH_FINDING_TO_SNS writes. */
export interface OutboxInsert {
  messageId: string;
  key: OutboxExecutionKey;
  topicArn: string;
  message: string;
  state: 'STORED' | 'PENDING';
  createdAt: Date;
}

const insertValues = (m: OutboxInsert) => {
  const k = m.key;
  return {
    message_id: m.messageId,
    account_id: k.accountId,
    region: k.region,
    topic_arn: m.topicArn,
    message: m.message,
    task_kind: k.kind,
    task_id: k.taskId,
    target_id: k.targetId,
    action_name: k.actionName,
    state: m.state,
    created_at: m.createdAt.getTime(),
    next_attempt_at: m.createdAt.getTime(),
  };
};

const insertOne = prepared(
  (q, messageId: string, accountId: string, region: string, topicArn: string, message: string, kind: string, taskId: string, targetId: string, actionName: string, state: string, createdAt: number) =>
    q
      .insertInto('sns_outbox')
      .values({
        message_id: messageId,
        account_id: accountId,
        region,
        topic_arn: topicArn,
        message,
        task_kind: kind,
        task_id: taskId,
        target_id: targetId,
        action_name: actionName,
        state,
        created_at: createdAt,
        next_attempt_at: createdAt,
      })
      .onConflict((oc) => oc.column('message_id').doNothing()),
);

const byId = prepared((q, messageId: string) => q.selectFrom('sns_outbox').select(COLUMNS).where('message_id', '=', messageId));

const finishOne = prepared(
  (q, messageId: string, state: string, at: number, snsMessageId: string | null, errorCode: string | null, error: string | null) =>
    q
      .updateTable('sns_outbox')
      .set((eb) => ({
        state,
        delivered_at: at,
        sns_message_id: snsMessageId,
        error_code: errorCode,
        last_error: error,
        attempts: eb('attempts', '+', 1),
        lease_until: null,
        lease_owner: null,
      }))
      .where('message_id', '=', messageId)
      .where('state', '=', 'PENDING'),
);

const retryOne = prepared((q, messageId: string, nextAttemptAt: number, error: string) =>
  q
    .updateTable('sns_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt, last_error: error, lease_until: null, lease_owner: null }))
    .where('message_id', '=', messageId)
    .where('state', '=', 'PENDING'),
);

/** The SNS outbox. Rows of every account and region: the delivery worker serves them all. */
export class OutboxRepo {
  constructor(private readonly db: Driver) {}

  /** Adds a message; false (nothing written) when a message with this id exists already. */
  async insert(m: OutboxInsert): Promise<boolean> {
    const k = m.key;
    return (
      (await insertOne(this.db, m.messageId, k.accountId, k.region, m.topicArn, m.message, k.kind, k.taskId, k.targetId, k.actionName, m.state, m.createdAt.getTime()).run()) > 0
    );
  }

  /** Adds many messages in multi-row inserts; one whose id exists already is left out. */
  async insertMany(ms: readonly OutboxInsert[]): Promise<void> {
    await insertRows(this.db, 'sns_outbox', ms.map(insertValues), (q) => q.onConflict((oc) => oc.column('message_id').doNothing()));
  }

  async get(messageId: string): Promise<OutboxMessage | undefined> {
    const row = await byId(this.db, messageId).first();
    return row && fromRow(row);
  }

  /** A page in write order after `afterSeq`, oldest first; of one account and region when `scope` is given. One row more than `limit` tells that more follow. */
  async list(opts: { scope?: Scope; topicArn?: string; afterSeq?: number; limit: number }): Promise<OutboxMessage[]> {
    const { scope } = opts;
    const query = qb(this.db)
      .selectFrom('sns_outbox')
      .select(COLUMNS)
      .$if(scope !== undefined, (w) => w.where('account_id', '=', scope!.accountId).where('region', '=', scope!.region))
      .$if(opts.topicArn !== undefined, (w) => w.where('topic_arn', '=', opts.topicArn!))
      .$if(opts.afterSeq !== undefined, (w) => w.where('seq', '>', opts.afterSeq!))
      .orderBy('seq')
      .limit(opts.limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }

  /**
   * Inside a transaction: leases up to `limit` PENDING rows that are due and not leased by a live
   * worker, oldest first (PostgreSQL: rows another worker is claiming are skipped).
   */
  async claim(opts: { now: Date; owner: string; leaseUntil: Date; limit: number }): Promise<OutboxMessage[]> {
    const now = opts.now.getTime();
    const due = qb(this.db)
      .selectFrom('sns_outbox')
      .select(COLUMNS)
      .where('state', '=', 'PENDING')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('next_attempt_at')
      .orderBy('seq');
    const rows = await claim(this.db, due, opts.limit);
    if (rows.length) {
      await run(
        this.db,
        qb(this.db)
          .updateTable('sns_outbox')
          .set({ lease_until: opts.leaseUntil.getTime(), lease_owner: opts.owner })
          .where('seq', 'in', rows.map((r) => r.seq)),
      );
    }
    return rows.map(fromRow);
  }

  /** Records the end of delivery; 0 when the row was no longer PENDING (another worker finished it). */
  async finish(messageId: string, f: { state: 'DELIVERED' | 'FAILED'; at: Date; snsMessageId?: string; errorCode?: string; error?: string }): Promise<number> {
    return finishOne(this.db, messageId, f.state, f.at.getTime(), f.snsMessageId ?? null, f.errorCode ?? null, f.error ?? null).run();
  }

  /** A transient failure: try again at `nextAttemptAt`. */
  async retryLater(messageId: string, nextAttemptAt: Date, error: string): Promise<void> {
    await retryOne(this.db, messageId, nextAttemptAt.getTime(), error).run();
  }

  /** Gives back the leases of one worker (it is closing), or of every worker (`owner` undefined: a node that owns the database alone is starting). */
  async releaseLeases(owner?: string): Promise<void> {
    const query = qb(this.db)
      .updateTable('sns_outbox')
      .set({ lease_until: null, lease_owner: null })
      .where('state', '=', 'PENDING')
      .where('lease_owner', owner === undefined ? 'is not' : '=', owner ?? null);
    await run(this.db, query);
  }

  /** Retention: removes finished or stored messages written before `before`; returns how many. */
  async purgeBefore(before: Date): Promise<number> {
    return run(this.db, qb(this.db).deleteFrom('sns_outbox').where('created_at', '<', before.getTime()).where('state', '<>', 'PENDING'));
  }
}
