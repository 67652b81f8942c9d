import { createHash } from 'node:crypto';
import type { OutboxExecutionKey } from '../store/outbox.js';
import { targetIdOf } from './outcome.js';
import type { ActionHandler, ActionOutcome } from './types.js';

/** A fixed namespace so Warden's message ids never collide with other name-based UUIDs. */
const NAMESPACE = Buffer.from('6f1c1f5e2b7a4c0e9a53d1b0c2e4f7a1', 'hex');

/**
 * The stable id of the message one execution publishes: a name-based UUID (version 5 layout,
 * SHA-1) of account, region, task kind, task id, finding or violation id and action name. The
 * same execution always gets the same id, so consumers can drop the copies that at-least-once
 * delivery may bring.
 */
export function snsMessageId(k: OutboxExecutionKey): string {
  const name = [k.accountId, k.region, k.kind, k.taskId, k.targetId, k.actionName].join('\n');
  const h = createHash('sha1').update(NAMESPACE).update(name).digest().subarray(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A finding or violation as the read APIs show it: timestamps as epoch seconds, absent members left out. */
export function wire(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(wire);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, m] of Object.entries(v)) if (m !== undefined && m !== null) out[k] = wire(m);
    return out;
  }
  return v;
}

/**
 * PUBLISH_FINDING_TO_SNS (SEMANTICS.md D13): writes the message to the outbox in the execution's
 * transaction. Without SNS delivery the message stays there, readable at GET /_warden/sns/messages,
 * and the execution succeeds at once; with delivery the execution stays in progress until the
 * delivery worker has published it (or SNS refused it). Running the same execution again writes
 * no second message.
 */
export function publishFindingToSns(opts: { delivery: boolean }): ActionHandler {
  const handler: ActionHandler = async (tx, scope, action, subject, batch) => {
    const topicArn = action.actionParams.publishFindingToSnsParams!.topicArn;
    const key: OutboxExecutionKey = {
      accountId: scope.accountId,
      region: scope.region,
      kind: subject.kind === 'finding' ? 'audit' : 'detect',
      taskId: subject.taskId,
      targetId: targetIdOf(subject),
      actionName: action.name,
    };
    const messageId = snsMessageId(key);
    const message = JSON.stringify({
      version: '1.0',
      accountId: scope.accountId,
      region: scope.region,
      taskId: subject.taskId,
      taskType: subject.kind === 'finding' ? 'AUDIT_MITIGATION_ACTIONS_TASK' : 'DETECT_MITIGATION_ACTIONS_TASK',
      actionName: action.name,
      actionId: action.id,
      ...(subject.kind === 'finding' ? { finding: wire(subject.finding) } : { violation: wire(subject.violation) }),
    });
    const state = opts.delivery ? 'PENDING' : 'STORED';
    const m = { messageId, key, topicArn, message, state, createdAt: scope.clock.now() } as const;
    const written: ActionOutcome = opts.delivery ? { status: 'PENDING' } : { status: 'SUCCEEDED' };
    if (batch) {
      // The engine runs a target only while it is PENDING, in the transaction that ends that state,
      // so no message of this execution can exist yet: the outcome needs no read.
      batch.outbox(m);
      return written;
    }
    if (await tx.outbox.insert(m)) return written;
    const earlier = (await tx.outbox.get(messageId))!;
    if (earlier.state === 'PENDING') return { status: 'PENDING' };
    if (earlier.state === 'FAILED') return { status: 'FAILED', errorCode: earlier.errorCode ?? 'SNS_PUBLISH_FAILED', message: earlier.lastError ?? 'Publishing failed.' };
    return { status: 'SUCCEEDED' };
  };
  return Object.assign(handler, { batchable: true });
}
