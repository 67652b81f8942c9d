import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { prepared } from './sql.js';

/** A policy and the document of its default (operative) version. */
export interface DefaultPolicyVersion {
  name: string;
  versionId: string;
  /** '' when the default version is missing (a policy always has it). */
  document: string;
}

/**
 * A correlated lookup rather than a join: right after a bulk load PostgreSQL has no statistics
 * and plans the join as a nested loop over every version of the scope (seconds for 10,000
 * policies); the subquery is always one primary-key probe per policy, on both backends.
 */
const defaultVersions = prepared((q, accountId: string, region: string, afterName: string, limit: number) =>
  q
    .selectFrom('policies as p')
    .select((eb) => [
      'p.name',
      'p.default_version_id',
      eb
        .selectFrom('policy_versions as v')
        .select('v.document')
        .whereRef('v.account_id', '=', 'p.account_id')
        .whereRef('v.region', '=', 'p.region')
        .whereRef('v.policy_name', '=', 'p.name')
        .where('v.version_id', '=', eb.cast<number>('p.default_version_id', 'integer'))
        .as('document'),
    ])
    .where('p.account_id', '=', accountId)
    .where('p.region', '=', region)
    .where('p.name', '>', afterName)
    .orderBy('p.name')
    .limit(limit),
);

/** What the IoT policy audit checks read of policies and their versions (policies.ts holds the registry's reads and writes). */
export class PolicyAuditRepo {
  constructor(private readonly db: Driver) {}

  /** One keyset page, in name order after `afterName`, of the scope's policies with their default version's document. */
  async defaultVersionsPage(scope: Scope, afterName: string, limit: number): Promise<DefaultPolicyVersion[]> {
    const rows = await defaultVersions(this.db, scope.accountId, scope.region, afterName, limit).all();
    return rows.map((r) => ({ name: r.name, versionId: String(r.default_version_id), document: r.document ?? '' }));
  }
}
