import type { Context } from '../context/context.js';
import { CloudActivityError, parseCloudActivities, recordCloudActivity } from '../detect/cloud.js';
import { InvalidRequestException } from '../generated/errors.js';
import type { SignedHandler } from './handler.js';

/**
 * POST /_warden/cloud-metrics: records what a broker would have seen of devices (the embedded broker counts its own traffic) (messages sent
 * and received with topics and sizes, authorization failures, connection attempts, disconnects,
 * source addresses) in the current 5-minute period of the caller's account and region; Detect
 * evaluates the cloud-side behaviors once the period has ended. All or nothing.
 * Body: {"activities": [{"thingName", "messagesSent"?: [{"topic", "bytes", "count"?}],
 * "messagesReceived"?: [...], "authorizationFailures"?: [{"topic"?, "count"?}],
 * "connectionAttempts"?, "disconnects"?, "sourceIps"?: ["ip"]}]}. Answers {"recorded": n}.
 */
export const postCloudMetrics: SignedHandler = async ({ body }, ctx: Context) => {
  let activities;
  try {
    activities = parseCloudActivities(body);
  } catch (e) {
    if (e instanceof CloudActivityError) throw new InvalidRequestException(e.message);
    throw e;
  }
  const now = ctx.clock.now().getTime();
  await ctx.store.transaction((tx) => recordCloudActivity(tx, ctx, activities, now));
  return { recorded: activities.length };
};
