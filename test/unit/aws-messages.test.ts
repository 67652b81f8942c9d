// The table of AWS's own error texts (src/registry/aws-messages.ts): word for word, with a source,
// and the only place in src/ that holds them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ServiceError } from '../../src/base/errors.js';
import { projectRoot } from '../../src/base/paths.js';
import { AWS_MESSAGES, awsError, type AwsMessageKey } from '../../src/registry/aws-messages.js';

const HOLE = '\u0000';
/** Every parameter filled with a marker, so the fixed parts of a text can be told from the values. */
const holes = new Proxy({}, { get: () => HOLE }) as never;
const keys = Object.keys(AWS_MESSAGES) as AwsMessageKey[];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('AWS_MESSAGES', () => {
  test('each entry names its case and source; no text gains a full stop AWS does not write', () => {
    for (const key of keys) {
      const m = AWS_MESSAGES[key];
      assert.ok(m.when.length > 0 && m.source.length > 0, key);
      assert.doesNotMatch(m.message(holes), /\.$/, `${key}: AWS's text ends without a full stop`);
    }
  });

  test('awsError builds the modeled error with its status and extra members', () => {
    const e = awsError('certificateAlreadyRegistered', {}, { resourceId: 'id', resourceArn: 'arn' }) as ServiceError;
    assert.ok(e instanceof ServiceError);
    assert.equal(e.code, 'ResourceAlreadyExistsException');
    assert.equal(e.status, 409);
    assert.equal(e.message, 'The certificate is already provisioned or registered');
    assert.deepEqual(e.members, { resourceId: 'id', resourceArn: 'arn' });
    const d = awsError('thingStillAttached', { thingName: 'lamp' });
    assert.equal((d as ServiceError).code, 'InvalidRequestException');
    assert.equal(d.message, 'Cannot delete. Thing lamp is still attached to one or more principals');
  });

  test('no other source file writes one of these texts itself', () => {
    const root = join(projectRoot(), 'src');
    const table = join(root, 'registry', 'aws-messages.ts');
    const fragments = keys.flatMap((key) => AWS_MESSAGES[key].message(holes).split(HOLE).filter((f) => f.trim().length >= 12).map((f) => [key, f] as const));
    for (const file of sources(root).filter((f) => f !== table)) {
      const text = readFileSync(file, 'utf8');
      for (const [key, f] of fragments) assert.ok(!text.includes(f), `${relative(root, file)} holds "${f}" (${key}); use awsError('${key}', ...)`);
    }
  });
});
