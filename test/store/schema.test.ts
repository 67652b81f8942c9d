// The typed schema the store's queries compile against (src/store/schema.generated.ts) is what
// the migrations make: regenerating it gives the committed file, and PostgreSQL's migrated tables
// have the same columns, value types and nullability as SQLite's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { migratedColumns, SCHEMA_FILE, schemaSource, tsType, type Column } from '../../scripts/schema.js';
import { projectRoot } from '../../src/base/paths.js';
import { migrate } from '../../src/store/migrations/index.js';
import { PostgresDriver } from '../../src/store/postgres.js';
import { dropSchema, freshSchema, PG_BASE } from '../harness.js';

const shape = (c: Pick<Column, 'table' | 'name' | 'type' | 'nullable'>): string => `${c.table}.${c.name}: ${c.type}${c.nullable ? ' | null' : ''}`;

describe('typed schema', () => {
  const schema = freshSchema();
  after(() => dropSchema(schema));

  test('src/store/schema.generated.ts is what the migrations make (run npm run generate:schema when it is not)', async () => {
    const committed = readFileSync(join(projectRoot(), SCHEMA_FILE), 'utf8');
    assert.equal(committed, schemaSource(await migratedColumns()));
  });

  test('PostgreSQL migrates to the same tables, columns, types and nullability as SQLite', async () => {
    const db = await PostgresDriver.open(`${PG_BASE}?schema=${schema}`, () => undefined);
    try {
      await migrate(db);
      const rows = await db.all<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
        'SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, column_name',
        [schema],
      );
      const pg = rows.map((r) => shape({ table: r.table_name, name: r.column_name, type: tsType(r.data_type), nullable: r.is_nullable === 'YES' }));
      const sqlite = (await migratedColumns()).map(shape).sort();
      assert.deepEqual(pg.sort(), sqlite);
    } finally {
      await db.close();
    }
  });
});
