import type { Scope } from '../base/scope.js';
import type { DefaultPolicyVersion } from '../store/policy-audit.js';
import type { Repos } from '../store/store.js';
import { breathe } from './check.js';

/**
 * Every policy of the scope with its default version's document, a page at a time in name order
 * (keyset paging, so 10,000 policies never sit in memory at once). The policy checks evaluate
 * the default version only: it is the one AWS IoT enforces, and the one
 * REPLACE_DEFAULT_POLICY_VERSION replaces.
 */
export async function* defaultPolicyVersions(repos: Pick<Repos, 'policyAudit'>, scope: Scope, signal: AbortSignal, pageSize = 5000): AsyncGenerator<DefaultPolicyVersion[]> {
  let after = '';
  for (;;) {
    await breathe();
    signal.throwIfAborted();
    const page = await repos.policyAudit.defaultVersionsPage(scope, after, pageSize);
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].name;
  }
}

/** The IOT_POLICY resource identifier AWS gives policy findings. */
export const policyVersionIdentifier = (p: DefaultPolicyVersion) => ({ policyVersionIdentifier: { policyName: p.name, policyVersionId: p.versionId } });
