import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matches, parseQuery, type ThingDoc } from '../../src/registry/fleet-query.js';

const lamp: ThingDoc = { thingName: 'lamp-01', thingId: 'id-1', thingTypeName: 'Light', attributes: { color: 'red', watts: '60', model: 'A:b' } };
const fan: ThingDoc = { thingName: 'fan-7', thingTypeName: 'Fan', attributes: { color: 'blue', watts: '9' } };
const bare: ThingDoc = { thingName: 'probe', attributes: {} };
const ALL = [lamp, fan, bare];

/** Names of the sample things a query selects. */
const select = (q: string): string[] => ALL.filter((d) => matches(parseQuery(q), d)).map((d) => d.thingName);

function invalid(q: string, why: RegExp): void {
  assert.throws(
    () => parseQuery(q),
    (e: Error) => e.name === 'InvalidQueryException' && why.test(e.message),
    q,
  );
}

describe('fleet-indexing query syntax', () => {
  test('field terms on thingName, thingTypeName, thingId and attributes, case-insensitively', () => {
    assert.deepEqual(select('thingName:lamp-01'), ['lamp-01']);
    assert.deepEqual(select('thingName:LAMP-01'), ['lamp-01']);
    assert.deepEqual(select('thingTypeName:fan'), ['fan-7']);
    assert.deepEqual(select('thingId:id-1'), ['lamp-01']);
    assert.deepEqual(select('attributes.color:red'), ['lamp-01']);
    assert.deepEqual(select('attributes.color:green'), []);
    assert.deepEqual(select('attributes.model:A\\:b'), ['lamp-01'], 'escaped colon');
    assert.deepEqual(select('attributes.model:A:b'), ['lamp-01'], 'a colon inside the value');
    assert.deepEqual(select('attributes.model:"a:B"'), ['lamp-01'], 'quoted phrase');
  });

  test('wildcards * and ?, and * alone for every thing', () => {
    assert.deepEqual(select('thingName:lamp*'), ['lamp-01']);
    assert.deepEqual(select('thingName:fan-?'), ['fan-7']);
    assert.deepEqual(select('thingName:fan-??'), []);
    assert.deepEqual(select('thingName:*-7'), ['fan-7'], 'one leading wildcard is allowed');
    assert.deepEqual(select('*'), ['lamp-01', 'fan-7', 'probe']);
    assert.deepEqual(select('thingTypeName:*'), ['lamp-01', 'fan-7'], 'field:* needs the field to be set');
    assert.deepEqual(select('thingName:lamp\\*'), [], 'an escaped * is literal');
  });

  test('AND, OR, NOT, -, implicit AND, parentheses and field grouping', () => {
    assert.deepEqual(select('attributes.color:red OR attributes.color:blue'), ['lamp-01', 'fan-7']);
    assert.deepEqual(select('attributes.color:red AND thingTypeName:Fan'), []);
    assert.deepEqual(select('attributes.color:blue thingTypeName:Fan'), ['fan-7'], 'default operator AND');
    assert.deepEqual(select('NOT attributes.color:red'), ['fan-7', 'probe']);
    assert.deepEqual(select('-attributes.color:red'), ['fan-7', 'probe']);
    assert.deepEqual(select('thingName:(lamp* OR fan*) AND -thingTypeName:Light'), ['fan-7']);
    assert.deepEqual(select('thingName:(* AND -fan*)'), ['lamp-01', 'probe'], 'field grouping with exclusion');
    assert.deepEqual(select('(attributes.color:red OR thingName:probe) AND NOT thingTypeName:Light'), ['probe']);
    assert.deepEqual(select('attributes.color:red OR attributes.color:blue AND thingTypeName:Light'), ['lamp-01'], 'AND binds tighter than OR');
  });

  test('a term without a field matches the name, the type or any attribute value', () => {
    assert.deepEqual(select('blue'), ['fan-7']);
    assert.deepEqual(select('light'), ['lamp-01']);
    assert.deepEqual(select('probe'), ['probe']);
  });

  test('numeric ranges, inclusive and exclusive, open ends, and comparisons', () => {
    assert.deepEqual(select('attributes.watts:[9 TO 60]'), ['lamp-01', 'fan-7']);
    assert.deepEqual(select('attributes.watts:{9 TO 60]'), ['lamp-01']);
    assert.deepEqual(select('attributes.watts:[9 TO 60}'), ['fan-7']);
    assert.deepEqual(select('attributes.watts:[10 TO *]'), ['lamp-01'], 'numeric, not string, order: 60 > 10 > 9');
    assert.deepEqual(select('attributes.watts>9'), ['lamp-01']);
    assert.deepEqual(select('attributes.watts>=9'), ['lamp-01', 'fan-7']);
    assert.deepEqual(select('attributes.watts<60'), ['fan-7']);
    assert.deepEqual(select('attributes.watts <= 60'), ['lamp-01', 'fan-7']);
    assert.deepEqual(select('attributes.color:[a TO c]'), ['fan-7'], 'string ranges compare as text');
  });

  test('unparsable or over-limit queries answer InvalidQueryException', () => {
    invalid('thingName:(a OR b', /not closed/);
    invalid('attributes.n:[1 TO 5', /must end/);
    invalid('attributes.n:[1 5]', /TO/);
    invalid('thingName:"open', /quoted/);
    invalid('AND', /unexpected 'AND'/);
    invalid('thingName:a OR', /ends where a term was expected/);
    invalid('thingName:a)', /unexpected '\)'/);
    invalid(':x', /no field name/);
    invalid('[1 TO 2]', /needs a field/);
    invalid('   ', /empty/);
    invalid(Array.from({ length: 13 }, (_, i) => `thingName:t${i}`).join(' OR '), /13 terms/);
    invalid('thingName:*a OR thingTypeName:*b', /only one term/);
  });
});
