import type { Driver } from '../driver.js';

/**
 * What a migration is and what the migration files share; index.ts lists them in order and applies
 * them. (Here, not in index.ts, so the files do not import the list that imports them.)
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Driver): Promise<void>;
}

/** Names sort by code point on both backends (PostgreSQL would otherwise use the locale's collation). */
export const binary = (db: Driver): string => (db.dialect === 'postgres' ? 'COLLATE "C"' : '');
