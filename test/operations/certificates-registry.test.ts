// The shared internal paths of src/registry/certificates.ts, as the mitigation engine calls them, on both databases.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '../../src/base/clock.js';
import {
  getCertificate,
  registerDeviceCertificate,
  thingsOfPrincipal,
  updateCaCertificateStatus,
  updateCertificateStatus,
} from '../../src/registry/certificates.js';
import { parseCertificate } from '../../src/registry/x509.js';
import { Store } from '../../src/store/store.js';
import { BACKENDS, dropSchema, freshSchema, PG_BASE } from '../harness.js';
import { makeCa, makeSelfSigned, storeCaCertificate } from './certificates-helpers.js';

let time = Date.parse('2030-01-01T00:00:00Z');
const clock: Clock = { now: () => new Date((time += 1000)) };
const scope = { accountId: '000000000000', region: 'us-east-1', clock };

for (const backend of BACKENDS) {
  describe(`certificate registry paths (${backend})`, () => {
    let store: Store;
    let dir: string;
    let schema: string | undefined;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'warden-certreg-'));
      schema = backend === 'postgres' ? freshSchema() : undefined;
      store = await Store.open({ dataDir: dir, databaseUrl: schema ? `${PG_BASE}?schema=${schema}` : undefined });
    });
    after(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    });

    test('updateCertificateStatus: INACTIVE twice succeeds, REVOKED then INACTIVE is a CertificateStateException, unknown is not found', async () => {
      const parsed = parseCertificate(await makeSelfSigned(), 'certificatePem');
      const { certificateId } = await registerDeviceCertificate(store.repos, scope, parsed, { status: 'ACTIVE', certificateMode: 'SNI_ONLY' });
      const first = await store.transaction((tx) => updateCertificateStatus(tx, scope, certificateId, 'INACTIVE'));
      assert.equal(first.status, 'INACTIVE');
      assert.equal(first.customerVersion, 2);
      const again = await store.transaction((tx) => updateCertificateStatus(tx, scope, certificateId, 'INACTIVE'));
      assert.equal(again.customerVersion, 2);
      assert.equal(again.generationId, first.generationId);
      await store.transaction((tx) => updateCertificateStatus(tx, scope, certificateId, 'REVOKED'));
      await assert.rejects(
        store.transaction((tx) => updateCertificateStatus(tx, scope, certificateId, 'INACTIVE')),
        (e: Error) => e.name === 'CertificateStateException' && /REVOKED/.test(e.message),
      );
      assert.equal((await getCertificate(store.repos, scope, certificateId))?.status, 'REVOKED');
      assert.equal((await getCertificate(store.repos, scope, certificateId))?.modifiedAt.getTime(), first.modifiedAt.getTime() + 1000);
      await assert.rejects(store.transaction((tx) => updateCertificateStatus(tx, scope, 'f'.repeat(64), 'INACTIVE')), { name: 'ResourceNotFoundException' });
      assert.equal(await getCertificate(store.repos, { ...scope, region: 'eu-west-1' }, certificateId), undefined);
    });

    test('updateCaCertificateStatus: INACTIVE, then INACTIVE again without a new version', async () => {
      const caId = await storeCaCertificate(store.repos, scope, (await makeCa()).pem, { status: 'ACTIVE', at: clock.now() });
      const off = await store.transaction((tx) => updateCaCertificateStatus(tx, scope, caId, 'INACTIVE'));
      assert.equal(off.status, 'INACTIVE');
      assert.equal(off.customerVersion, 2);
      assert.equal((await store.transaction((tx) => updateCaCertificateStatus(tx, scope, caId, 'INACTIVE'))).customerVersion, 2);
      assert.equal((await store.repos.caCertificates.get(scope, caId))?.status, 'INACTIVE');
    });

    test('thingsOfPrincipal returns every thing, past one page, in name order', async () => {
      const principal = `arn:aws:iot:us-east-1:000000000000:cert/${'e'.repeat(64)}`;
      const names = Array.from({ length: 260 }, (_, i) => `thing-${String(i).padStart(3, '0')}`);
      await store.transaction(async (tx) => {
        for (const thingName of [...names].reverse()) await tx.thingPrincipals.put(scope, { thingName, principal, principalType: 'NON_EXCLUSIVE_THING', createdAt: clock.now() });
      });
      assert.deepEqual(await thingsOfPrincipal(store.repos, scope, principal), names);
      assert.deepEqual(await thingsOfPrincipal(store.repos, { ...scope, accountId: '111111111111' }, principal), []);
    });
  });
}
