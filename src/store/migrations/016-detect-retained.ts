import { binary, type Migration } from './migration.js';

/**
 * The values Detect keeps of a security profile's `additionalMetricsToRetainV2`.
 *
 * - detect_retained_values: one row per datapoint of a retained metric of a thing covered by the
 *   profile: the metric, its TOPIC_FILTER dimension ('' and '' without one), when (ms) and the
 *   MetricValue as JSON (owned by src/detect). A second datapoint of the same key at the same
 *   millisecond replaces the first. Rows older than the retention are purged by `at` (the index).
 */
export const detectRetained: Migration = {
  version: 16,
  name: 'detect retained metric values',
  async up(db) {
    const b = binary(db);
    await db.exec(`
      CREATE TABLE detect_retained_values (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        thing_name TEXT ${b} NOT NULL,
        profile_name TEXT ${b} NOT NULL,
        metric TEXT ${b} NOT NULL,
        dimension_name TEXT ${b} NOT NULL DEFAULT '',
        dimension_operator TEXT NOT NULL DEFAULT '',
        at BIGINT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (account_id, region, thing_name, profile_name, metric, dimension_name, dimension_operator, at)
      )`);
    await db.exec('CREATE INDEX detect_retained_values_by_age ON detect_retained_values (at)');
  },
};
