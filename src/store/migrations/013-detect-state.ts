import { binary, type Migration } from './migration.js';

/**
 * What Detect's evaluation keeps between datapoints.
 *
 * - detect_states: one row per (thing, security profile) that has been evaluated: the evaluation
 *   state of each of the profile's behaviors for the thing (consecutive datapoints, the trailing
 *   window of a behavior with a duration, the id of its open violation), as JSON, and when the
 *   thing last reported. `active` counts the open violations, so the sweep that invalidates the
 *   violations of things silent for two days reads only rows with one (the partial index).
 * - detect_period_values: the value each device had for a statistical behavior in each 5-minute
 *   period, from which the fleet's percentile over the behavior's duration is computed; rows older
 *   than the longest duration are purged.
 */
export const detectState: Migration = {
  version: 13,
  name: 'detect evaluation state',
  async up(db) {
    const b = binary(db);
    await db.exec(`
      CREATE TABLE detect_states (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        profile_name TEXT ${b} NOT NULL,
        states TEXT NOT NULL,
        active INTEGER NOT NULL,
        last_report_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, thing_name, profile_name)
      )`);
    await db.exec('CREATE INDEX detect_states_open ON detect_states (last_report_at) WHERE active > 0');
    await db.exec('CREATE INDEX detect_states_by_profile ON detect_states (account_id, region, profile_name, thing_name)');
    await db.exec(`
      CREATE TABLE detect_period_values (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        profile_name TEXT ${b} NOT NULL,
        behavior_name TEXT ${b} NOT NULL,
        period_start BIGINT NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (account_id, region, profile_name, behavior_name, period_start, thing_name)
      )`);
    await db.exec('CREATE INDEX detect_period_values_by_age ON detect_period_values (period_start)');
  },
};
