import type { Context } from '../../context/context.js';
import { mlBehaviorKey } from '../../detect/evaluation.js';
import { ML_DEFAULTS, trainingSummary, trainingWindowStart, type MlTraining } from '../../detect/ml.js';
import { existingProfile } from '../../detect/profiles.js';
import type { Behavior, BehaviorModelTrainingSummary, GetBehaviorModelTrainingSummariesRequest, GetBehaviorModelTrainingSummariesResponse } from '../../generated/shapes.js';
import { pageSizeOf } from '../pagination.js';
import { decodeAfter, page } from '../things/common.js';

const DAY_MS = 86_400_000;

/**
 * One summary per ML behavior (criteria.mlDetectionConfig) of the scope's security profiles, or of
 * `securityProfileName` (ResourceNotFoundException when it does not exist), in (profile name,
 * behavior name) order, pages of `maxResults` (AWS: "The default is 10"; at most 10). The fields
 * come from ml.ts's trainingSummary(): PENDING_BUILD / ACTIVE / EXPIRED, the datapoints of the
 * trailing training window against the minimum, the day collection started and the last refresh.
 * A behavior that has seen no datapoint yet (or whose metric changed since it trained) is
 * PENDING_BUILD at 0 % with no collection date, as AWS's CLI example shows such behaviors.
 */
export async function GetBehaviorModelTrainingSummaries(
  input: GetBehaviorModelTrainingSummariesRequest,
  ctx: Context,
): Promise<GetBehaviorModelTrainingSummariesResponse> {
  const repos = ctx.store.repos;
  const one = input.securityProfileName;
  if (one !== undefined) await existingProfile(repos, ctx, one);
  const list = one === undefined ? 'ml-training-summaries' : `ml-training-summaries/${one}`;
  const after = decodeAfter(list, input.nextToken);
  const limit = pageSizeOf('GetBehaviorModelTrainingSummaries', input.maxResults);

  const keyOf = (profile: string, behavior: string) => `${profile}\n${behavior}`;
  const behaviors = (await repos.detectMl.profileBehaviors(ctx, one))
    .flatMap((p) => (p.behaviors as Behavior[]).filter((b) => b.criteria?.mlDetectionConfig).map((behavior) => ({ profile: p.name, behavior, key: keyOf(p.name, behavior.name) })))
    .filter((x) => after === undefined || x.key > after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const { items, nextToken } = page(behaviors.slice(0, limit + 1), limit, list, (x) => x.key);
  if (items.length === 0) return { summaries: [], nextToken };

  const options = ctx.detect?.ml ?? ML_DEFAULTS;
  const now = ctx.clock.now().getTime();
  const fromDay = Math.floor(trainingWindowStart(now, options) / DAY_MS) * DAY_MS;
  const [trainings, counts] = await Promise.all([repos.detectMl.trainings(ctx), repos.detectMl.datapoints(ctx, fromDay, one)]);
  const training = new Map(trainings.map((t) => [keyOf(t.profileName, t.behaviorName), t]));
  const datapoints = new Map(counts.map((c) => [`${keyOf(c.profileName, c.behaviorName)}\n${c.trainingStart}`, c.datapoints]));

  const summaries = items.map(({ profile, behavior, key }): BehaviorModelTrainingSummary => {
    const head = { securityProfileName: profile, behaviorName: behavior.name };
    const t = training.get(key);
    if (!t || t.behaviorKey !== mlBehaviorKey(behavior)) return { ...head, modelStatus: 'PENDING_BUILD', datapointsCollectionPercentage: 0 };
    return { ...head, ...trainingSummary(t.training as MlTraining, now, datapoints.get(`${key}\n${t.collectionStart}`) ?? 0, options) };
  });
  return { summaries, nextToken };
}
