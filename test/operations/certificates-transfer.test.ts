// Certificate transfers between accounts of one credentials file, through @aws-sdk/client-iot on both
// backends: TransferCertificate, AcceptCertificateTransfer, RejectCertificateTransfer and
// CancelCertificateTransfer, with what each side sees in DescribeCertificate and ListCertificates.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AcceptCertificateTransferCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CancelCertificateTransferCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ListCertificatesCommand,
  ListThingPrincipalsCommand,
  RegisterCertificateWithoutCACommand,
  RejectCertificateTransferCommand,
  TransferCertificateCommand,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, startServer, type Running } from '../harness.js';
import { assertFails, makeSelfSigned } from './certificates-helpers.js';

const ALICE = '111111111111';
const BOB = '222222222222';
const CAROL = '333333333333';
const ACCOUNTS = { [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol' };
const creds = (name: string) => ({ accessKeyId: `AKID${name.toUpperCase()}`, secretAccessKey: `${name}-secret` });
const arn = (account: string, id: string, region = 'us-east-1') => `arn:aws:iot:${region}:${account}:cert/${id}`;
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] });

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-transfer-creds-'));
  const lines = Object.entries(ACCOUNTS).map(([id, n]) => `  - accessKeyId: ${creds(n).accessKeyId}\n    secretAccessKey: ${creds(n).secretAccessKey}\n    accountId: "${id}"\n`);
  writeFileSync(join(dir, 'credentials.yaml'), `credentials:\n${lines.join('')}`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const backend of BACKENDS) {
  describe(`certificate transfers (${backend})`, () => {
    let server: Running;
    let alice: IoTClient, bob: IoTClient, carol: IoTClient, bobWest: IoTClient;
    before(async () => {
      server = await startServer({ backend, args: ['--credentials', join(dir, 'credentials.yaml')] });
      [alice, bob, carol] = ['alice', 'bob', 'carol'].map((n) => iot(server.url, creds(n)));
      bobWest = iot(server.url, creds('bob'), 'us-west-2');
    });
    after(async () => {
      for (const c of [alice, bob, carol, bobWest]) c?.destroy();
      await server?.cleanup();
    });

    const describeAs = async (c: IoTClient, certificateId: string) => (await c.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription!;
    const listed = async (c: IoTClient) => (await c.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates!.map((x) => x.certificateId!);
    const transfer = (c: IoTClient, certificateId: string, targetAwsAccount: string, transferMessage?: string) =>
      c.send(new TransferCertificateCommand({ certificateId, targetAwsAccount, transferMessage }));
    /** A new INACTIVE certificate of alice's. */
    const inactiveCert = async (c = alice): Promise<string> => (await c.send(new CreateKeysAndCertificateCommand({}))).certificateId!;
    const near = (d: Date | undefined, t0: number) => assert.ok(d instanceof Date && d.getTime() >= t0 - 2000 && d.getTime() <= Date.now() + 2000, `${d} is about now`);

    test('TransferCertificate refuses ACTIVE, attached, own-account and unknown certificates; then the certificate is PENDING_TRANSFER on both sides', async () => {
      const made = await alice.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      const id = made.certificateId!;
      await assertFails(transfer(alice, id, BOB), 'CertificateStateException', 406, /ACTIVE; deactivate it with UpdateCertificate/);
      await alice.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }));
      await alice.send(new CreatePolicyCommand({ policyName: 'connect', policyDocument: POLICY }));
      await alice.send(new AttachPolicyCommand({ policyName: 'connect', target: made.certificateArn }));
      await assertFails(transfer(alice, id, BOB), 'TransferConflictException', 409, /1 attached policy; detach them with DetachPolicy/);
      await alice.send(new DetachPolicyCommand({ policyName: 'connect', target: made.certificateArn }));
      await alice.send(new CreateThingCommand({ thingName: 'sensor-1' }));
      await alice.send(new AttachThingPrincipalCommand({ thingName: 'sensor-1', principal: made.certificateArn }));
      await assertFails(transfer(alice, id, BOB), 'TransferConflictException', 409, /attached to 1 thing\(s\) \(sensor-1\)/);
      await alice.send(new DetachThingPrincipalCommand({ thingName: 'sensor-1', principal: made.certificateArn }));
      await assertFails(transfer(alice, id, ALICE), 'InvalidRequestException', 400, /is the account that owns certificate/);
      await assertFails(transfer(alice, 'f'.repeat(64), BOB), 'ResourceNotFoundException', 404);
      await assertFails(transfer(bob, id, CAROL), 'ResourceNotFoundException', 404, undefined);

      const versionBefore = (await describeAs(alice, id)).customerVersion!;
      const t0 = Date.now();
      const out = await transfer(alice, id, BOB, 'for the Berlin fleet');
      assert.equal(out.transferredCertificateArn, arn(BOB, id), "the ARN the certificate has in the target's account");
      await assertFails(transfer(alice, id, CAROL), 'CertificateStateException', 406, new RegExp(`already PENDING_TRANSFER to account ${BOB}`));

      for (const side of [alice, bob]) {
        const d = await describeAs(side, id);
        assert.equal(d.status, 'PENDING_TRANSFER');
        assert.equal(d.ownedBy, ALICE, 'the source owns it until the target accepts');
        assert.equal(d.previousOwnedBy, undefined);
        assert.equal(d.certificateArn, made.certificateArn);
        assert.equal(d.customerVersion, versionBefore + 1);
        assert.equal(d.transferData!.transferMessage, 'for the Berlin fleet');
        near(d.transferData!.transferDate, t0);
        assert.equal(d.transferData!.acceptDate, undefined);
      }
      assert.ok((await listed(alice)).includes(id), 'the source still lists it');
      assert.ok((await listed(bob)).includes(id), 'the target lists it ("call ListCertificates" to find pending transfers)');
      const row = (await bob.send(new ListCertificatesCommand({}))).certificates!.find((c) => c.certificateId === id)!;
      assert.equal(row.status, 'PENDING_TRANSFER');
      assert.ok(!(await listed(carol)).includes(id));
      assert.ok(!(await listed(bobWest)).includes(id), 'a transfer stays in its region');
      await assertFails(describeAs(carol, id), 'ResourceNotFoundException', 404);
      await assertFails(describeAs(bobWest, id), 'ResourceNotFoundException', 404);

      // Pending: neither side can change it by other means.
      await assertFails(alice.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'ACTIVE' })), 'CertificateStateException', 406);
      await assertFails(alice.send(new DeleteCertificateCommand({ certificateId: id })), 'CertificateStateException', 406);
      await assertFails(bob.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'ACTIVE' })), 'ResourceNotFoundException', 404);
      // Who may do what.
      await assertFails(alice.send(new AcceptCertificateTransferCommand({ certificateId: id })), 'InvalidRequestException', 400, /only that account can accept or reject it/);
      await assertFails(alice.send(new RejectCertificateTransferCommand({ certificateId: id })), 'InvalidRequestException', 400, /only that account can accept or reject it/);
      await assertFails(bob.send(new CancelCertificateTransferCommand({ certificateId: id })), 'InvalidRequestException', 400, /only the source account can cancel it/);
      await assertFails(carol.send(new AcceptCertificateTransferCommand({ certificateId: id })), 'ResourceNotFoundException', 404);
      await assertFails(carol.send(new CancelCertificateTransferCommand({ certificateId: id })), 'ResourceNotFoundException', 404);
    });

    test('AcceptCertificateTransfer moves the certificate to the target: its ARN, ownedBy and previousOwnedBy; setAsActive; the transfer cannot be reverted', async () => {
      const id = await inactiveCert();
      const created = (await describeAs(alice, id)).creationDate!;
      await transfer(alice, id, BOB);
      // Attached by the source while pending: detached there when the target accepts.
      await alice.send(new CreateThingCommand({ thingName: 'late-thing' }));
      await alice.send(new AttachThingPrincipalCommand({ thingName: 'late-thing', principal: arn(ALICE, id) }));
      const t0 = Date.now();
      await bob.send(new AcceptCertificateTransferCommand({ certificateId: id.toUpperCase(), setAsActive: true }));

      const d = await describeAs(bob, id);
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.certificateArn, arn(BOB, id));
      assert.equal(d.ownedBy, BOB);
      assert.equal(d.previousOwnedBy, ALICE);
      assert.equal(d.creationDate!.getTime(), created.getTime(), 'the creation date stays');
      near(d.transferData!.acceptDate, t0);
      assert.ok(d.transferData!.transferDate! <= d.transferData!.acceptDate!);
      assert.ok((await listed(bob)).includes(id));
      assert.ok(!(await listed(alice)).includes(id), 'the source no longer has it');
      await assertFails(describeAs(alice, id), 'ResourceNotFoundException', 404);
      assert.deepEqual((await alice.send(new ListThingPrincipalsCommand({ thingName: 'late-thing' }))).principals, []);

      await assertFails(alice.send(new CancelCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410, new RegExp(`now belongs to account ${BOB}`));
      await assertFails(bob.send(new AcceptCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410, /was accepted on/);
      await assertFails(bob.send(new RejectCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410);
      await assertFails(bob.send(new CancelCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410);

      // It is bob's like any other: he can use it with his own ARN, and transfer it on.
      await bob.send(new CreateThingCommand({ thingName: 'bobs-thing' }));
      await bob.send(new AttachThingPrincipalCommand({ thingName: 'bobs-thing', principal: arn(BOB, id) }));
      await bob.send(new DetachThingPrincipalCommand({ thingName: 'bobs-thing', principal: arn(BOB, id) }));
      await bob.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }));
      await transfer(bob, id, CAROL);
      await carol.send(new AcceptCertificateTransferCommand({ certificateId: id }));
      const c = await describeAs(carol, id);
      assert.equal(c.status, 'INACTIVE', 'without setAsActive the accepted certificate is INACTIVE');
      assert.equal(c.previousOwnedBy, BOB);
      assert.equal(c.transferData!.transferMessage, undefined);
    });

    test('RejectCertificateTransfer returns it to the source INACTIVE with the reason; it can be transferred again', async () => {
      const id = await inactiveCert();
      await transfer(alice, id, BOB, 'yours now');
      const t0 = Date.now();
      await bob.send(new RejectCertificateTransferCommand({ certificateId: id, rejectReason: 'not ours' }));
      const d = await describeAs(alice, id);
      assert.equal(d.status, 'INACTIVE');
      assert.equal(d.ownedBy, ALICE);
      assert.equal(d.previousOwnedBy, undefined);
      assert.equal(d.transferData!.transferMessage, 'yours now');
      assert.equal(d.transferData!.rejectReason, 'not ours');
      near(d.transferData!.rejectDate, t0);
      await assertFails(describeAs(bob, id), 'ResourceNotFoundException', 404);
      assert.ok(!(await listed(bob)).includes(id));
      await assertFails(bob.send(new AcceptCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410, /was rejected on/);
      await assertFails(bob.send(new RejectCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410);
      await assertFails(alice.send(new CancelCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410, /was rejected on/);

      await transfer(alice, id, CAROL, 'second try');
      const again = await describeAs(carol, id);
      assert.deepEqual(Object.keys(again.transferData!).sort(), ['transferDate', 'transferMessage'], 'a new transfer starts new transfer data');
      await assertFails(bob.send(new AcceptCertificateTransferCommand({ certificateId: id })), 'ResourceNotFoundException', 404, undefined);
      await carol.send(new AcceptCertificateTransferCommand({ certificateId: id }));
      assert.equal((await describeAs(carol, id)).previousOwnedBy, ALICE);
    });

    test('CancelCertificateTransfer, by the source only: INACTIVE again, transfer data kept; the target can no longer accept', async () => {
      const id = await inactiveCert();
      await transfer(alice, id, BOB, 'oops');
      await alice.send(new CancelCertificateTransferCommand({ certificateId: id }));
      const d = await describeAs(alice, id);
      assert.equal(d.status, 'INACTIVE');
      assert.equal(d.transferData!.transferMessage, 'oops');
      assert.equal(d.transferData!.rejectDate, undefined);
      await assertFails(describeAs(bob, id), 'ResourceNotFoundException', 404);
      await assertFails(bob.send(new AcceptCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410, /cancelled by the source account/);
      await assertFails(alice.send(new CancelCertificateTransferCommand({ certificateId: id })), 'TransferAlreadyCompletedException', 410);
      // UpdateCertificate works again once the transfer is over.
      await alice.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'ACTIVE' }));

      const never = await inactiveCert();
      await assertFails(alice.send(new CancelCertificateTransferCommand({ certificateId: never })), 'InvalidRequestException', 400, /is not pending transfer/);
      await assertFails(alice.send(new AcceptCertificateTransferCommand({ certificateId: never })), 'InvalidRequestException', 400, /is not pending transfer to your account/);
      await assertFails(alice.send(new RejectCertificateTransferCommand({ certificateId: 'e'.repeat(64) })), 'ResourceNotFoundException', 404);
    });

    test('only INACTIVE certificates move; a target that already holds the certificate is refused', async () => {
      const revoked = await inactiveCert();
      await alice.send(new UpdateCertificateCommand({ certificateId: revoked, newStatus: 'REVOKED' }));
      await assertFails(transfer(alice, revoked, BOB), 'CertificateStateException', 406, /REVOKED; only an INACTIVE certificate can be transferred/);
      // The same self-signed certificate registered without a CA in both accounts.
      const pem = await makeSelfSigned();
      const shared = (await alice.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'INACTIVE' }))).certificateId!;
      await bob.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'INACTIVE' }));
      await assertFails(transfer(alice, shared, BOB), 'InvalidRequestException', 400, new RegExp(`Account ${BOB} already holds certificate`));
      // Registered by the target while the transfer is pending: Accept is refused, nothing moves, Reject still works.
      const late = await makeSelfSigned();
      const lateId = (await alice.send(new RegisterCertificateWithoutCACommand({ certificatePem: late, status: 'INACTIVE' }))).certificateId!;
      await transfer(alice, lateId, BOB);
      await bob.send(new RegisterCertificateWithoutCACommand({ certificatePem: late, status: 'ACTIVE' }));
      await assertFails(bob.send(new AcceptCertificateTransferCommand({ certificateId: lateId })), 'InvalidRequestException', 400, /Your account already holds certificate/);
      assert.equal((await describeAs(alice, lateId)).status, 'PENDING_TRANSFER');
      assert.equal((await describeAs(bob, lateId)).status, 'ACTIVE', "the target's own certificate is what it describes");
      await bob.send(new RejectCertificateTransferCommand({ certificateId: lateId }));
      assert.equal((await describeAs(alice, lateId)).status, 'INACTIVE');
    });

    test("the target's ListCertificates pages its own and incoming certificates together, in creation order both ways", async () => {
      // A few milliseconds apart, so creation order is the order made.
      const made = async (c: IoTClient) => (await new Promise((r) => setTimeout(r, 5)), inactiveCert(c));
      const own = [await made(carol)];
      const incoming = [await made(alice), await made(bob)];
      own.push(await made(carol));
      await transfer(alice, incoming[0], CAROL);
      await transfer(bob, incoming[1], CAROL);
      const mine = new Set([...own, ...incoming]);
      for (const ascendingOrder of [true, false]) {
        const seen: string[] = [];
        let marker: string | undefined;
        do {
          const page = await carol.send(new ListCertificatesCommand({ pageSize: 1, ascendingOrder, marker }));
          seen.push(...page.certificates!.map((c) => c.certificateId!));
          marker = page.nextMarker;
        } while (marker);
        const ours = seen.filter((x) => mine.has(x));
        const expected = [own[0], incoming[0], incoming[1], own[1]];
        assert.deepEqual(ours, ascendingOrder ? expected : [...expected].reverse());
        assert.equal(new Set(seen).size, seen.length, 'no certificate twice');
      }
    });
  });
}
