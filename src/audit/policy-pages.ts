import type { Scope } from '../base/scope.js';
import type { Driver } from '../store/driver.js';
import { breathe } from './check.js';

/** A policy and the document of its default (operative) version. */
interface DefaultPolicyVersion {
  name: string;
  versionId: string;
  document: string;
}

/**
 * Every policy of the scope with its default version's document, a page at a time in name order
 * (keyset paging, so 10,000 policies never sit in memory at once). The policy checks evaluate
 * the default version only: it is the one AWS IoT enforces, and the one
 * REPLACE_DEFAULT_POLICY_VERSION replaces.
 */
export async function* defaultPolicyVersions(db: Driver, scope: Scope, signal: AbortSignal, pageSize = 5000): AsyncGenerator<DefaultPolicyVersion[]> {
  let after = '';
  for (;;) {
    await breathe();
    signal.throwIfAborted();
    // A correlated lookup rather than a join: right after a bulk load PostgreSQL has no statistics
    // and plans the join as a nested loop over every version of the scope (seconds for 10,000
    // policies); the subquery is always one primary-key probe per policy, on both backends.
    const rows = await db.all<{ name: string; default_version_id: string; document: string | null }>(
      `SELECT p.name, p.default_version_id,
         (SELECT v.document FROM policy_versions v WHERE v.account_id = p.account_id AND v.region = p.region
            AND v.policy_name = p.name AND v.version_id = CAST(p.default_version_id AS INTEGER)) AS document
       FROM policies p WHERE p.account_id = ? AND p.region = ? AND p.name > ? ORDER BY p.name LIMIT ?`,
      [scope.accountId, scope.region, after, pageSize],
    );
    if (rows.length === 0) return;
    // A policy always has its default version; were it missing, the policy counts with an empty document.
    yield rows.map((r) => ({ name: r.name, versionId: String(r.default_version_id), document: r.document ?? '' }));
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].name;
  }
}

/** The IOT_POLICY resource identifier AWS gives policy findings. */
export const policyVersionIdentifier = (p: DefaultPolicyVersion) => ({ policyVersionIdentifier: { policyName: p.name, policyVersionId: p.versionId } });
