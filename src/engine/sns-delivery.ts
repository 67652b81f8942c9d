import { randomUUID } from 'node:crypto';
import { WorkLoop } from '../work/loop.js';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Logger } from 'pino';
import type { Clock } from '../base/clock.js';
import type { OutboxExecutionKey, OutboxMessage } from '../store/outbox.js';
import type { Store, StoreTx } from '../store/store.js';

/** What delivery reports for an execution: published, or refused by SNS for good. */
export type DeliveryOutcome =
  | { status: 'SUCCEEDED' }
  | { status: 'FAILED'; errorCode: 'SNS_TOPIC_NOT_FOUND' | 'INSUFFICIENT_PERMISSIONS' | 'SNS_PUBLISH_REJECTED'; message: string };

export interface SnsDeliveryOptions {
  store: Store;
  log: Logger;
  clock: Clock;
  /** The SNS API to publish to (AWS, moto, LocalStack, ...). */
  endpoint: string;
  /** Signing region; default: the topic ARN's region. */
  region?: string;
  /** Default: the AWS SDK's credential chain (environment, profile, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Finishes the execution, in the transaction that marks its message delivered. */
  onDelivered: (tx: StoreTx, key: OutboxExecutionKey, outcome: DeliveryOutcome) => Promise<void>;
  /** Messages claimed and published at once (default 10). */
  batchSize?: number;
  /** Pause between polls when nothing is due (default 250 ms). */
  idleMs?: number;
  /** How long a claimed message is this worker's; after that another worker may take it (default 30 s). */
  leaseMs?: number;
  /** Attempts per round, with the SDK's exponential backoff in between (default 3). */
  attemptsPerRound?: number;
  /** Pause after a failed round, doubled per further failed round (default 1 s), up to maxBackoffMs (default 5 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface SnsDelivery {
  /** Look for due messages now (an execution just wrote one). */
  wake(): void;
  /** Stops: in-flight publishes are abandoned, their messages given back for the next worker. */
  close(): Promise<void>;
}

type Verdict = { retry: true; error: string } | { retry: false; outcome: DeliveryOutcome & { status: 'FAILED' } };

const NOT_FOUND = new Set(['NotFound', 'NotFoundException', 'ResourceNotFoundException']);
const DENIED = new Set(['AuthorizationError', 'AuthorizationErrorException', 'AccessDenied', 'AccessDeniedException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'KMSAccessDeniedException']);

/**
 * SNS's error, in one place: a missing topic and a permission error fail the execution; other
 * client errors (a malformed ARN, a message SNS will not take) fail it too; throttling, server
 * errors and network failures are tried again later, without end (at-least-once).
 */
export function classifySnsError(e: unknown, topicArn: string): Verdict {
  const err = e as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const text = `${name}: ${err.message ?? ''}`;
  if (NOT_FOUND.has(name)) return fail('SNS_TOPIC_NOT_FOUND', `SNS reports that topic ${topicArn} does not exist (${text}).`);
  if (DENIED.has(name) || status === 403) {
    return fail('INSUFFICIENT_PERMISSIONS', `SNS refused to let Warden publish to ${topicArn} (${text}); check the topic's policy and the credentials Warden publishes with.`);
  }
  const throttled = status === 429 || /throttl/i.test(name);
  if (err.$fault === 'client' && status !== undefined && status < 500 && !throttled) {
    return fail('SNS_PUBLISH_REJECTED', `SNS rejected the message for ${topicArn} (${text}).`);
  }
  return { retry: true, error: text };
}

const fail = (errorCode: 'SNS_TOPIC_NOT_FOUND' | 'INSUFFICIENT_PERMISSIONS' | 'SNS_PUBLISH_REJECTED', message: string): Verdict => ({
  retry: false,
  outcome: { status: 'FAILED', errorCode, message: message.slice(0, 2048) },
});

/**
 * The delivery worker: claims due PENDING outbox messages in small batches (a short transaction;
 * PostgreSQL skips rows other nodes are claiming), publishes each outside any transaction with
 * the stable message id as the `wardenMessageId` attribute, then in one transaction marks it
 * delivered and reports the outcome through `onDelivered`. A node that dies mid-publish leaves
 * its messages leased; they are published again when the lease runs out (at-least-once).
 */
export function startSnsDelivery(o: SnsDeliveryOptions): SnsDelivery {
  const owner = randomUUID();
  const batch = o.batchSize ?? 10;
  const idleMs = o.idleMs ?? 250;
  const leaseMs = o.leaseMs ?? 30_000;
  const backoffMs = o.backoffMs ?? 1000;
  const maxBackoffMs = o.maxBackoffMs ?? 300_000;
  const clients = new Map<string, SNSClient>();

  const clientFor = (topicArn: string): SNSClient => {
    const region = o.region ?? topicArn.split(':')[3] ?? 'us-east-1';
    let c = clients.get(region);
    if (!c) {
      c = new SNSClient({
        endpoint: o.endpoint,
        region: region || 'us-east-1',
        credentials: o.credentials,
        maxAttempts: o.attemptsPerRound ?? 3,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 15_000 },
      });
      clients.set(region, c);
    }
    return c;
  };

  async function deliver(m: OutboxMessage): Promise<void> {
    let verdict: Verdict | undefined;
    let snsMessageId: string | undefined;
    try {
      const out = await clientFor(m.topicArn).send(
        new PublishCommand({
          TopicArn: m.topicArn,
          Message: m.message,
          MessageAttributes: { wardenMessageId: { DataType: 'String', StringValue: m.messageId } },
        }),
        { abortSignal: loop.signal },
      );
      snsMessageId = out.MessageId;
    } catch (e) {
      if (loop.signal.aborted) return; // closing: the lease is given back, the next worker publishes it
      verdict = classifySnsError(e, m.topicArn);
    }
    const now = o.clock.now();
    if (verdict?.retry) {
      const wait = Math.min(backoffMs * 2 ** Math.min(m.attempts, 30), maxBackoffMs);
      o.log.warn({ messageId: m.messageId, topicArn: m.topicArn, attempts: m.attempts + 1, err: verdict.error }, 'SNS publish failed; will retry');
      await o.store.transaction((tx) => tx.outbox.retryLater(m.messageId, new Date(now.getTime() + wait), verdict.error));
      return;
    }
    const outcome: DeliveryOutcome = verdict ? verdict.outcome : { status: 'SUCCEEDED' };
    await o.store.transaction(async (tx) => {
      const failed = outcome.status === 'FAILED' ? outcome : undefined;
      const changed = await tx.outbox.finish(m.messageId, { state: failed ? 'FAILED' : 'DELIVERED', at: now, snsMessageId, errorCode: failed?.errorCode, error: failed?.message });
      if (changed > 0) await o.onDelivered(tx, m.key, outcome);
    });
    if (verdict) o.log.warn({ messageId: m.messageId, topicArn: m.topicArn, errorCode: verdict.outcome.errorCode }, 'SNS refused a message');
  }

  /** One batch; true when it was full (more may be due). */
  async function round(): Promise<boolean> {
    const now = o.clock.now();
    const claimed = await o.store.transaction((tx) => tx.outbox.claim({ now, owner, leaseUntil: new Date(now.getTime() + leaseMs), limit: batch }));
    await Promise.all(
      claimed.map((m) => deliver(m).catch((e) => o.log.warn({ messageId: m.messageId, err: (e as Error).message }, 'recording an SNS delivery failed; the message will be retried'))),
    );
    return claimed.length === batch;
  }

  const loop = new WorkLoop({
    name: 'SNS delivery',
    log: o.log,
    idleMs,
    retryMs: idleMs,
    round,
    // A SQLite database has one owner: leases left by an earlier run of this node are stale.
    before: async () => {
      if (o.store.dialect === 'sqlite') await o.store.repos.outbox.releaseLeases();
    },
    after: async () => {
      try {
        await o.store.repos.outbox.releaseLeases(owner);
      } finally {
        for (const c of clients.values()) c.destroy();
      }
    },
  });
  void loop.start();

  return { wake: () => loop.wake(), close: () => loop.stop() };
}
