import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, insertRows, prepared, qb, run } from './sql.js';

/**
 * One ML behavior's training (migration 014). `training` is src/detect/ml.ts's MlTraining as the
 * detect layer wrote it (the store does not read it); `collectionStart` is its collectionStart.
 */
export interface MlTrainingRecord {
  profileName: string;
  behaviorName: string;
  /** What the model depends on (the behavior's metric): another key starts the training anew. */
  behaviorKey: string;
  collectionStart: number;
  training: unknown;
}

export interface ScopedMlTraining extends MlTrainingRecord {
  scope: Scope;
}

/** One node's sketch of one day of an ML behavior's values (src/detect/ml.ts's MlSketch). */
export interface MlSketchRecord {
  profileName: string;
  behaviorName: string;
  /** The UTC day (ms of its midnight). */
  day: number;
  /** The collectionStart of the training the values belong to. */
  trainingStart: number;
  datapoints: number;
  sketch: unknown;
}

const TRAINING = ['profile_name', 'behavior_name', 'behavior_key', 'collection_start', 'training'] as const;

const trainingFromRow = (r: { profile_name: string; behavior_name: string; behavior_key: string; collection_start: number; training: string }): MlTrainingRecord => ({
  profileName: r.profile_name,
  behaviorName: r.behavior_name,
  behaviorKey: r.behavior_key,
  collectionStart: Number(r.collection_start),
  training: JSON.parse(r.training) as unknown,
});

const ofScope = prepared((q, accountId: string, region: string) =>
  q.selectFrom('detect_ml_trainings').select(TRAINING).where('account_id', '=', accountId).where('region', '=', region),
);

const saveTraining = prepared((q, training: string, accountId: string, region: string, profileName: string, behaviorName: string, collectionStart: number) =>
  q
    .updateTable('detect_ml_trainings')
    .set({ training })
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('profile_name', '=', profileName)
    .where('behavior_name', '=', behaviorName)
    .where('collection_start', '=', collectionStart),
);

/** ML Detect's trainings and the daily sketches they train on. */
export class DetectMlRepo {
  constructor(private readonly db: Driver) {}

  /** The trainings of one scope (read once per evaluation round that has an ML behavior). */
  async trainings(scope: Scope): Promise<MlTrainingRecord[]> {
    return (await ofScope(this.db, scope.accountId, scope.region).all()).map(trainingFromRow);
  }

  /** Every training of every scope (the sweep that refreshes the models). */
  async allTrainings(): Promise<ScopedMlTraining[]> {
    const rows = await all(this.db, qb(this.db).selectFrom('detect_ml_trainings').select(['account_id', 'region', ...TRAINING]).orderBy('account_id').orderBy('region'));
    return rows.map((r) => ({ ...trainingFromRow(r), scope: { accountId: r.account_id, region: r.region } }));
  }

  /**
   * Records trainings that start: a behavior seen for the first time is inserted unless another
   * node did it first (theirs stays); with `replace`, a training that starts anew (its behavior's
   * metric changed) replaces the old one, whose sketches are deleted.
   */
  async startTrainings(scope: Scope, records: readonly MlTrainingRecord[], replace: boolean): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map((r) => ({
      account_id: scope.accountId,
      region: scope.region,
      profile_name: r.profileName,
      behavior_name: r.behaviorName,
      behavior_key: r.behaviorKey,
      collection_start: r.collectionStart,
      training: JSON.stringify(r.training),
    }));
    if (!replace) {
      await insertRows(this.db, 'detect_ml_trainings', rows, (q) => q.onConflict((oc) => oc.columns(['account_id', 'region', 'profile_name', 'behavior_name']).doNothing()));
      return;
    }
    await this.deleteSketches(scope, records);
    await insertRows(this.db, 'detect_ml_trainings', rows, (q) =>
      q.onConflict((oc) =>
        oc.columns(['account_id', 'region', 'profile_name', 'behavior_name']).doUpdateSet((eb) => ({
          behavior_key: eb.ref('excluded.behavior_key'),
          collection_start: eb.ref('excluded.collection_start'),
          training: eb.ref('excluded.training'),
        })),
      ),
    );
  }

  /** Writes a training's new record, unless the training was started anew meanwhile; false then. */
  async saveTraining(scope: Scope, r: MlTrainingRecord): Promise<boolean> {
    const n = await saveTraining(this.db, JSON.stringify(r.training), scope.accountId, scope.region, r.profileName, r.behaviorName, r.collectionStart).run();
    return n > 0;
  }

  /** Forgets trainings (their profile or behavior is gone) and their sketches. */
  async deleteTrainings(scope: Scope, keys: readonly { profileName: string; behaviorName: string }[]): Promise<void> {
    for (const k of keys) {
      await run(
        this.db,
        qb(this.db)
          .deleteFrom('detect_ml_trainings')
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('profile_name', '=', k.profileName)
          .where('behavior_name', '=', k.behaviorName),
      );
    }
    await this.deleteSketches(scope, keys);
  }

  private async deleteSketches(scope: Scope, keys: readonly { profileName: string; behaviorName: string }[]): Promise<void> {
    for (const k of keys) {
      await run(
        this.db,
        qb(this.db)
          .deleteFrom('detect_ml_sketches')
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('profile_name', '=', k.profileName)
          .where('behavior_name', '=', k.behaviorName),
      );
    }
  }

  /** Writes this node's sketches of the days a round touched (insert or replace), in multi-row statements. */
  async saveSketches(scope: Scope, node: string, sketches: readonly MlSketchRecord[]): Promise<void> {
    await insertRows(
      this.db,
      'detect_ml_sketches',
      sketches.map((s) => ({
        account_id: scope.accountId,
        region: scope.region,
        profile_name: s.profileName,
        behavior_name: s.behaviorName,
        day: s.day,
        node,
        training_start: s.trainingStart,
        datapoints: s.datapoints,
        sketch: JSON.stringify(s.sketch),
      })),
      (q) =>
        q.onConflict((oc) =>
          oc.columns(['account_id', 'region', 'profile_name', 'behavior_name', 'day', 'node']).doUpdateSet((eb) => ({
            training_start: eb.ref('excluded.training_start'),
            datapoints: eb.ref('excluded.datapoints'),
            sketch: eb.ref('excluded.sketch'),
          })),
        ),
    );
  }

  /** The sketches (every node's) of one training from the day `fromDay` on. */
  async sketches(scope: Scope, profileName: string, behaviorName: string, trainingStart: number, fromDay: number): Promise<unknown[]> {
    const rows = await all(
      this.db,
      qb(this.db)
        .selectFrom('detect_ml_sketches')
        .select('sketch')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('profile_name', '=', profileName)
        .where('behavior_name', '=', behaviorName)
        .where('training_start', '=', trainingStart)
        .where('day', '>=', fromDay),
    );
    return rows.map((r) => JSON.parse(r.sketch) as unknown);
  }

  /** Datapoints from the day `fromDay` on, per (profile, behavior, training), optionally of one profile. */
  async datapoints(scope: Scope, fromDay: number, profileName?: string): Promise<{ profileName: string; behaviorName: string; trainingStart: number; datapoints: number }[]> {
    const rows = await all(
      this.db,
      qb(this.db)
        .selectFrom('detect_ml_sketches')
        .select(['profile_name', 'behavior_name', 'training_start'])
        .select((eb) => eb.fn.sum<number | string>('datapoints').as('n'))
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .$if(profileName !== undefined, (w) => w.where('profile_name', '=', profileName!))
        .where('day', '>=', fromDay)
        .groupBy(['profile_name', 'behavior_name', 'training_start']),
    );
    return rows.map((r) => ({ profileName: r.profile_name, behaviorName: r.behavior_name, trainingStart: Number(r.training_start), datapoints: Number(r.n) }));
  }

  /** Deletes the sketches of days before `beforeDay`; answers how many. */
  async purgeSketches(beforeDay: number): Promise<number> {
    return run(this.db, qb(this.db).deleteFrom('detect_ml_sketches').where('day', '<', beforeDay));
  }

  /** The security profiles of a scope (or the one named) with their behaviors and creation time, in name order. */
  async profileBehaviors(scope: Scope, profileName?: string): Promise<{ name: string; behaviors: unknown[]; createdAt: number }[]> {
    const rows = await all(
      this.db,
      qb(this.db)
        .selectFrom('security_profiles')
        .select(['name', 'behaviors', 'created_at'])
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .$if(profileName !== undefined, (w) => w.where('name', '=', profileName!))
        .orderBy('name'),
    );
    return rows.map((r) => ({ name: r.name, behaviors: JSON.parse(r.behaviors) as unknown[], createdAt: Number(r.created_at) }));
  }
}
