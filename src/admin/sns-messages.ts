import { parseQuery } from '../api/parse.js';
import { errorResponse, type WireResponse } from '../api/serialize.js';
import { InvalidRequestException } from '../generated/errors.js';
import type { OutboxMessage } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import type { Scope } from '../base/scope.js';
import type { SignedHandler } from './handler.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const seconds = (d: Date | undefined): number | undefined => (d ? d.getTime() / 1000 : undefined);

const view = (m: OutboxMessage) => ({
  messageId: m.messageId,
  topicArn: m.topicArn,
  message: m.message,
  state: m.state,
  accountId: m.key.accountId,
  region: m.key.region,
  taskType: m.key.kind === 'audit' ? 'AUDIT_MITIGATION_ACTIONS_TASK' : 'DETECT_MITIGATION_ACTIONS_TASK',
  taskId: m.key.taskId,
  targetId: m.key.targetId,
  actionName: m.key.actionName,
  createdAt: seconds(m.createdAt),
  attempts: m.attempts,
  deliveredAt: seconds(m.deliveredAt),
  snsMessageId: m.snsMessageId,
  errorCode: m.errorCode,
  lastError: m.lastError,
});

/**
 * GET /_warden/sns/messages[?topicArn=ARN][&limit=N][&nextToken=T]: the messages that
 * PUBLISH_FINDING_TO_SNS wrote, oldest first, with their delivery state (STORED when Warden has
 * no SNS endpoint, PENDING, DELIVERED, FAILED). `message` is the exact text published to SNS.
 * Signed, and of the caller's account and region.
 */
export const getSnsMessages: SignedHandler = ({ query }, ctx) => listMessages(query, ctx.store, { accountId: ctx.accountId, region: ctx.region });

/** The same unsigned and across accounts, when Warden runs with --open-sns-messages (local use only). */
export async function openSnsMessages(rawQuery: string, store: Store): Promise<WireResponse> {
  try {
    const body = await listMessages(parseQuery(rawQuery), store, undefined);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  } catch (e) {
    if (e instanceof InvalidRequestException) return errorResponse(e);
    throw e;
  }
}

async function listMessages(q: Map<string, string[]>, store: Store, scope: Scope | undefined) {
  const one = (name: string): string | undefined => q.get(name)?.[0];
  const limitText = one('limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidRequestException(`limit must be a whole number from 1 to ${MAX_LIMIT}, not '${limitText}'.`);
  }
  const token = one('nextToken');
  const afterSeq = token === undefined ? undefined : Number(token);
  if (afterSeq !== undefined && (!/^\d+$/.test(token!) || !Number.isSafeInteger(afterSeq))) throw new InvalidRequestException(`nextToken '${token}' is not one Warden gave.`);
  const rows = await store.repos.outbox.list({ scope, topicArn: one('topicArn'), afterSeq, limit });
  const page = rows.slice(0, limit);
  return { messages: page.map(view), nextToken: rows.length > limit ? String(page[page.length - 1].seq) : undefined };
}
