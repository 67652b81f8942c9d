// Default page sizes come from one table (src/operations/pagination.ts): every list operation
// Warden implements with a limit member has its row, and AWS's documented defaults are kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadModel, loadPaginators } from '../../src/api/model.js';
import { service } from '../../src/operations/index.js';
import { DEFAULT_PAGE_SIZES, pageSizeOf, type PagedOperation } from '../../src/operations/pagination.js';

describe('default page sizes', () => {
  const paginators = loadPaginators();
  const model = loadModel();
  const implemented = Object.keys(service);
  /** The operation's limit member: the paginator's limit_key, else a maxResults/pageSize member of its input. */
  const limitOf = (op: string): string | undefined => {
    if (paginators[op]?.limit_key) return paginators[op].limit_key;
    const input = model.operations[op]?.input?.shape;
    const members = Object.keys((input && model.shapes[input]?.members) ?? {});
    return members.find((m) => m === 'maxResults' || m === 'pageSize');
  };

  test('every implemented operation with a limit member has a row, and every row is such an operation', () => {
    const paged = implemented.filter((op) => limitOf(op) !== undefined).sort();
    assert.deepEqual(Object.keys(DEFAULT_PAGE_SIZES).sort(), paged);
  });

  test("AWS's documented defaults: 25 (\"The default is 25\", \"a default page size of 25\"), 10 for GetBehaviorModelTrainingSummaries", () => {
    const documented = Object.entries(DEFAULT_PAGE_SIZES).filter(([, v]) => v.documented).map(([k]) => k).sort();
    assert.deepEqual(documented, [
      'GetBehaviorModelTrainingSummaries',
      'ListAuditFindings',
      'ListAuditMitigationActionsExecutions',
      'ListAuditMitigationActionsTasks',
      'ListAuditSuppressions',
      'ListAuditTasks',
      'ListCACertificates',
      'ListCertificates',
      'ListCustomMetrics',
      'ListDetectMitigationActionsExecutions',
      'ListDetectMitigationActionsTasks',
      'ListMitigationActions',
      'ListScheduledAudits',
    ]);
    for (const op of documented) assert.equal(pageSizeOf(op as PagedOperation, undefined), op === 'GetBehaviorModelTrainingSummaries' ? 10 : 25, op);
  });

  test('a given limit wins over the default', () => {
    assert.equal(pageSizeOf('ListThings', 3), 3);
    assert.equal(pageSizeOf('ListThings', undefined), 25);
  });
});
