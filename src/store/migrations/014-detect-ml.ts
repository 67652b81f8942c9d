import { binary, type Migration } from './migration.js';

/**
 * What ML Detect keeps (src/detect/ml.ts).
 *
 * - detect_ml_trainings: one row per (security profile, ML behavior) that has seen a datapoint: its
 *   training record (MlTraining as JSON: when collection started, the model, the last refresh and
 *   attempt), with `collection_start` (the record's collectionStart, which the sketches of this
 *   training carry) and `behavior_key` (what the model depends on: the behavior's metric; another
 *   metric under the same behavior name starts a new training).
 * - detect_ml_sketches: per (profile, behavior, UTC day, node) the day's sketch of the values the
 *   behavior compared on that node (MlSketch as JSON) and how many they are. `node` is a random id
 *   per Detector process, so nodes sharing a database never overwrite each other's sketch; a
 *   training merges every row of its window (those of its `training_start`). Rows older than the
 *   training window are purged.
 */
export const detectMl: Migration = {
  version: 14,
  name: 'ML Detect training',
  async up(db) {
    const b = binary(db);
    await db.exec(`
      CREATE TABLE detect_ml_trainings (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        profile_name TEXT ${b} NOT NULL,
        behavior_name TEXT ${b} NOT NULL,
        behavior_key TEXT NOT NULL,
        collection_start BIGINT NOT NULL,
        training TEXT NOT NULL,
        PRIMARY KEY (account_id, region, profile_name, behavior_name)
      )`);
    await db.exec(`
      CREATE TABLE detect_ml_sketches (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        profile_name TEXT ${b} NOT NULL,
        behavior_name TEXT ${b} NOT NULL,
        day BIGINT NOT NULL,
        node TEXT NOT NULL,
        training_start BIGINT NOT NULL,
        datapoints INTEGER NOT NULL,
        sketch TEXT NOT NULL,
        PRIMARY KEY (account_id, region, profile_name, behavior_name, day, node)
      )`);
    await db.exec('CREATE INDEX detect_ml_sketches_by_day ON detect_ml_sketches (day)');
  },
};
