// The console's copy of the audit checks' facts (web/src/checks.json: severity, the action types
// each check supports, and the settings it takes with their bounds) is what the server's registry says; regenerate it when a check changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECK_ACTIONS } from '../../src/audit/checks.js';
import { AUDIT_CHECKS } from '../../src/audit/checks/index.js';
import { CHECK_SETTINGS } from '../../src/audit/configuration.js';
import { ROOT } from '../harness.js';

test('web/src/checks.json matches the audit check registry', () => {
  const copy = JSON.parse(readFileSync(join(ROOT, 'web', 'src', 'checks.json'), 'utf8')) as Record<string, { severity: string | null; actions: string[]; settings?: Record<string, { min: number; max: number; default: number }> }>;
  const expected = Object.fromEntries(
    Object.keys(CHECK_ACTIONS).sort().map((name) => [name, { severity: AUDIT_CHECKS.get(name)?.severity ?? null, actions: [...CHECK_ACTIONS[name]], ...(CHECK_SETTINGS[name] ? { settings: CHECK_SETTINGS[name] } : {}) }]),
  );
  assert.deepEqual(copy, expected, 'web/src/checks.json is stale: rewrite it from src/audit/checks.ts, src/audit/checks/ and src/audit/configuration.ts');
  assert.ok(Object.keys(copy).includes('DEVICE_CERTIFICATE_EXPIRING_CHECK'));
});
