import { ResourceNotFoundException } from '../../generated/errors.js';
import { parseQuery } from '../../registry/fleet-query.js';

/** The one fleet index AWS supports for dynamic groups, and the query version it reports. */
export const THINGS_INDEX = 'AWS_Things';
export const DEFAULT_QUERY_VERSION = '2017-09-30';

/** Checks a dynamic group's index and query (an unparsable query: InvalidQueryException). */
export function checkIndexAndQuery(indexName: string | undefined, queryString: string | undefined): void {
  if (indexName !== undefined && indexName !== THINGS_INDEX) {
    throw new ResourceNotFoundException(`Index ${indexName} does not exist; dynamic thing groups use the ${THINGS_INDEX} index.`);
  }
  if (queryString !== undefined) parseQuery(queryString);
}
