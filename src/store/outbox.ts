import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { insertRows } from './rows.js';
import type { TaskKind } from './mitigation-tasks.js';

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

interface Row {
  seq: number;
  message_id: string;
  account_id: string;
  region: string;
  topic_arn: string;
  message: string;
  task_kind: string;
  task_id: string;
  target_id: string;
  action_name: string;
  state: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  sns_message_id: string | null;
  error_code: string | null;
  last_error: string | null;
}

const COLUMNS =
  'seq, message_id, account_id, region, topic_arn, message, task_kind, task_id, target_id, action_name, state, created_at, attempts, next_attempt_at, delivered_at, sns_message_id, error_code, last_error';

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

const INSERT_COLUMNS = ['message_id', 'account_id', 'region', 'topic_arn', 'message', 'task_kind', 'task_id', 'target_id', 'action_name', 'state', 'created_at', 'next_attempt_at'];
const INSERT_ONE = `INSERT INTO sns_outbox (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (message_id) DO NOTHING`;
const insertValues = (m: OutboxInsert): unknown[] => {
  const k = m.key;
  return [m.messageId, k.accountId, k.region, m.topicArn, m.message, k.kind, k.taskId, k.targetId, k.actionName, m.state, m.createdAt.getTime(), m.createdAt.getTime()];
};

/** The SNS outbox. Rows of every account and region: the delivery worker serves them all. */
export class OutboxRepo {
  constructor(private readonly db: Driver) {}

  /** Adds a message; false (nothing written) when a message with this id exists already. */
  async insert(m: OutboxInsert): Promise<boolean> {
    return (await this.db.run(INSERT_ONE, insertValues(m))) > 0;
  }

  /** Adds many messages in multi-row inserts; one whose id exists already is left out. */
  async insertMany(ms: readonly OutboxInsert[]): Promise<void> {
    await insertRows(this.db, 'sns_outbox', INSERT_COLUMNS, ms.map(insertValues), 'ON CONFLICT (message_id) DO NOTHING');
  }

  async get(messageId: string): Promise<OutboxMessage | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM sns_outbox WHERE message_id = ?`, [messageId]);
    return row && fromRow(row);
  }

  /** A page in write order after `afterSeq`; one row more than `limit` tells that more follow. */
  /** Messages oldest first; of one account and region when `scope` is given. */
  async list(opts: { scope?: Scope; topicArn?: string; afterSeq?: number; limit: number }): Promise<OutboxMessage[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.scope) {
      where.push('account_id = ?', 'region = ?');
      params.push(opts.scope.accountId, opts.scope.region);
    }
    if (opts.topicArn !== undefined) {
      where.push('topic_arn = ?');
      params.push(opts.topicArn);
    }
    if (opts.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(opts.afterSeq);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM sns_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`, params);
    return rows.map(fromRow);
  }

  /**
   * Inside a transaction: leases up to `limit` PENDING rows that are due and not leased by a live
   * worker, oldest first (PostgreSQL: rows another worker is claiming are skipped).
   */
  async claim(opts: { now: Date; owner: string; leaseUntil: Date; limit: number }): Promise<OutboxMessage[]> {
    const now = opts.now.getTime();
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM sns_outbox WHERE state = 'PENDING' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, seq LIMIT ?${lock}`,
      [now, now, opts.limit],
    );
    if (rows.length) {
      await this.db.run(`UPDATE sns_outbox SET lease_until = ?, lease_owner = ? WHERE seq IN (${rows.map(() => '?').join(', ')})`, [
        opts.leaseUntil.getTime(),
        opts.owner,
        ...rows.map((r) => r.seq),
      ]);
    }
    return rows.map(fromRow);
  }

  /** Records the end of delivery; 0 when the row was no longer PENDING (another worker finished it). */
  async finish(messageId: string, f: { state: 'DELIVERED' | 'FAILED'; at: Date; snsMessageId?: string; errorCode?: string; error?: string }): Promise<number> {
    return this.db.run(
      `UPDATE sns_outbox SET state = ?, delivered_at = ?, sns_message_id = ?, error_code = ?, last_error = ?, attempts = attempts + 1, lease_until = NULL, lease_owner = NULL
       WHERE message_id = ? AND state = 'PENDING'`,
      [f.state, f.at.getTime(), f.snsMessageId ?? null, f.errorCode ?? null, f.error ?? null, messageId],
    );
  }

  /** A transient failure: try again at `nextAttemptAt`. */
  async retryLater(messageId: string, nextAttemptAt: Date, error: string): Promise<void> {
    await this.db.run(
      `UPDATE sns_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_until = NULL, lease_owner = NULL WHERE message_id = ? AND state = 'PENDING'`,
      [nextAttemptAt.getTime(), error, messageId],
    );
  }

  /** Gives back the leases of one worker (it is closing), or of every worker (`owner` undefined: a node that owns the database alone is starting). */
  async releaseLeases(owner?: string): Promise<void> {
    if (owner === undefined) await this.db.run("UPDATE sns_outbox SET lease_until = NULL, lease_owner = NULL WHERE state = 'PENDING' AND lease_owner IS NOT NULL");
    else await this.db.run("UPDATE sns_outbox SET lease_until = NULL, lease_owner = NULL WHERE state = 'PENDING' AND lease_owner = ?", [owner]);
  }

  /** Retention: removes finished or stored messages written before `before`; returns how many. */
  async purgeBefore(before: Date): Promise<number> {
    return this.db.run("DELETE FROM sns_outbox WHERE created_at < ? AND state <> 'PENDING'", [before.getTime()]);
  }
}
