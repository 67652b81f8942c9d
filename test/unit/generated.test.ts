import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProjectRoot, generate, MODEL_PATH } from '../../scripts/generate.js';
import { ServiceError } from '../../src/base/errors.js';
import { errorStatus, ResourceAlreadyExistsException } from '../../src/generated/errors.js';
import { operationNames } from '../../src/generated/service.js';

const root = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

test('src/generated is what scripts/generate.ts makes of the model', () => {
  const model: unknown = JSON.parse(readFileSync(join(root, MODEL_PATH), 'utf8'));
  const files = generate(model);
  assert.deepEqual(
    [...files.keys()].sort(),
    ['src/generated/errors.ts', 'src/generated/service.ts', 'src/generated/shapes.ts'],
  );
  const stale = `is out of date with ${MODEL_PATH} or scripts/generate.ts; run \`npm run generate\``;
  for (const [path, expected] of files) {
    let committed: Buffer;
    try {
      committed = readFileSync(join(root, path));
    } catch {
      assert.fail(`${path} is missing; run \`npm run generate\``);
    }
    assert.ok(committed.equals(Buffer.from(expected, 'utf8')), `${path} ${stale}`);
  }
  const extra = readdirSync(join(root, 'src/generated'))
    .map((name) => `src/generated/${name}`)
    .filter((path) => !files.has(path));
  assert.deepEqual(extra, [], `src/generated holds files the generator does not make; delete them and run \`npm run generate\``);
});

test('generated errors and operations carry the model facts', () => {
  assert.equal(errorStatus.LimitExceededException.status, 410);
  assert.deepEqual(errorStatus.ResourceNotFoundException, { status: 404, fault: 'client' });
  assert.deepEqual(errorStatus.InternalFailureException, { status: 500, fault: 'server' });
  assert.equal(Object.keys(errorStatus).length, 33);

  assert.equal(operationNames.length, 272);
  assert.equal(new Set(operationNames).size, 272);
  assert.ok(operationNames.includes('StartAuditMitigationActionsTask'));

  const error = new ResourceAlreadyExistsException('m', { resourceId: 'x' });
  assert.ok(error instanceof ServiceError);
  assert.ok(error instanceof Error);
  assert.equal(error.code, 'ResourceAlreadyExistsException');
  assert.equal(error.status, 409);
  assert.equal(error.fault, 'client');
  assert.equal(error.message, 'm');
  assert.equal(error.members.resourceId, 'x');
});

test('generator keeps shape names that shadow globals apart from the globals', () => {
  const files = generate({
    operations: { Ping: { input: { shape: 'Date' } } },
    shapes: {
      Date: { type: 'structure', members: { at: { shape: 'Stamp' }, tags: { shape: 'Record' } }, required: ['at'] },
      Stamp: { type: 'timestamp' },
      Record: { type: 'map', key: { shape: 'String' }, value: { shape: 'String' } },
      String: { type: 'string' },
    },
  });
  const shapes = files.get('src/generated/shapes.ts') ?? '';
  assert.match(shapes, /^export type Stamp = globalThis\.Date;$/m);
  assert.match(shapes, /^export type Record = globalThis\.Record<string, String>;$/m);
  assert.match(shapes, /^export interface Date \{\n {2}at: Stamp;\n {2}tags\?: Record;\n\}$/m);
  assert.match(files.get('src/generated/service.ts') ?? '', /Ping\(input: S\.Date, ctx: Context\): Promise<void>;/);
  assert.throws(() => generate({ operations: {}, shapes: { X: { type: 'list', member: { shape: 'Y' } } } }), /unknown shape/);
});
