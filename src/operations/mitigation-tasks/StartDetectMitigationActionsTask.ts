import type { Context } from '../../context/context.js';
import { InvalidRequestException } from '../../generated/errors.js';
import type { StartDetectMitigationActionsTaskRequest, StartDetectMitigationActionsTaskResponse } from '../../generated/shapes.js';
import { checkLimit, insertTask, replayOrConflict, snapshotActions } from './start.js';

/** Validates synchronously (D14, D15, D18), stores the task, and leaves the work to the engine. */
export async function StartDetectMitigationActionsTask(input: StartDetectMitigationActionsTaskRequest, ctx: Context): Promise<StartDetectMitigationActionsTaskResponse> {
  const { target, taskId } = input;
  if (target.violationIds && (target.securityProfileName || target.behaviorName)) {
    throw new InvalidRequestException('target names either violationIds or a securityProfileName (optionally with behaviorName), not both.');
  }
  if (!target.violationIds && !target.securityProfileName) {
    throw new InvalidRequestException(
      target.behaviorName ? 'target.behaviorName needs target.securityProfileName.' : 'target must name violationIds or a securityProfileName.',
    );
  }
  const range = input.violationEventOccurrenceRange;
  if (range && range.startTime.getTime() > range.endTime.getTime()) {
    throw new InvalidRequestException('violationEventOccurrenceRange.startTime must not be after its endTime.');
  }
  const result = await ctx.store.transaction(async (tx) => {
    await tx.lock(ctx, 'mitigation-tasks/detect');
    if (await replayOrConflict(tx, ctx, 'detect', taskId, input.clientRequestToken)) return { taskId };
    const actions = await snapshotActions(tx, ctx, input.actions);
    for (const a of actions) {
      if (a.type !== 'ADD_THINGS_TO_THING_GROUP') {
        throw new InvalidRequestException(`The mitigation action ${a.name} is ${a.type}; detect mitigation supports only ADD_THINGS_TO_THING_GROUP.`);
      }
    }
    if (target.violationIds) {
      const missing = await tx.mitigationPlan.missingTargets(ctx, 'detect', target.violationIds);
      if (missing.length) throw new InvalidRequestException(`No violation ${missing.join(', ')} exists in this account and region.`);
    }
    await checkLimit(tx, ctx, 'detect');
    await insertTask(tx, ctx, {
      kind: 'detect',
      taskId,
      clientToken: input.clientRequestToken,
      target: target as Record<string, unknown>,
      mapping: input.actions,
      actionsDefinition: actions,
      options: {
        violationEventOccurrenceRange: range && { startTime: range.startTime.getTime(), endTime: range.endTime.getTime() },
        includeOnlyActiveViolations: input.includeOnlyActiveViolations ?? false,
        includeSuppressedAlerts: input.includeSuppressedAlerts ?? false,
      },
    });
    return { taskId };
  });
  ctx.wakeEngine();
  return result;
}
