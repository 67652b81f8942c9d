// CreateCertificateFromCsr and the certificate transfers through real clients: boto3 under both Pythons
// (test/wire/py/certificate_transfers.py) and both AWS CLIs (through test/wire/cli-runner.ts), between
// the `test` credential's account and a second account of the server's credentials file. The CSRs are
// made here with real keys. One server for the file; each client run uses its own certificates.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, startServer, type Running } from '../harness.js';
import { makeCsr, tamper } from '../operations/csr-helpers.js';
import { awsIot, errorLine } from './aws-iot.js';
import { runCli, stopCliRunners } from './cli-runner.js';
import { clientEnv, pythonScenario } from './env.js';

const SCRIPT = join(ROOT, 'test/wire/py/certificate_transfers.py');
const SOURCE = '000000000000';
const TARGET = '222222222222';
const BOB = { accessKeyId: 'AKIDBOB', secretAccessKey: 'bob-secret' };
const PYTHONS = [
  { name: 'boto3 1.43 on pyenv python3', python: 'python3' },
  { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3' },
];
const CLIS = [
  { name: 'AWS CLI v1 (pyenv aws)', cmd: 'aws', errorExit: 255 },
  { name: 'AWS CLI v2 (Debian /usr/bin/aws)', cmd: '/usr/bin/aws', errorExit: 254 },
];
const arn = (account: string, id: string) => `arn:aws:iot:us-east-1:${account}:cert/${id}`;

type Call = Record<string, any>;
const okCall = (c: Call, what: string) => assert.equal(c.ok, true, `${what}: ${c.code} ${c.message}`);
function errCall(c: Call, code: string, status: number, what: string): void {
  assert.equal(c.ok, false, `${what}: expected ${code}, got success`);
  assert.equal(c.code, code, `${what}: ${c.message}`);
  assert.equal(c.status, status, what);
}

let server: Running;
const dirs: string[] = [];

/** A folder with rsa.csr, p256.csr and tampered.csr (real keys, made for one client run). */
async function materials(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-csr-wire-'));
  dirs.push(dir);
  const p256 = await makeCsr('CN=wire-p256, O=Warden Wire', 'EC P-256');
  writeFileSync(join(dir, 'rsa.csr'), (await makeCsr('CN=wire-rsa, O=Warden Wire', 'RSA 2048')).pem);
  writeFileSync(join(dir, 'p256.csr'), p256.pem);
  writeFileSync(join(dir, 'tampered.csr'), tamper(p256.pem, 'wire-p256', 'wire-p999'));
  return dir;
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-transfer-wire-'));
  dirs.push(dir);
  const file = join(dir, 'credentials.yaml');
  writeFileSync(
    file,
    `credentials:\n  - accessKeyId: test\n    secretAccessKey: test\n    accountId: "${SOURCE}"\n  - accessKeyId: ${BOB.accessKeyId}\n    secretAccessKey: ${BOB.secretAccessKey}\n    accountId: "${TARGET}"\n`,
  );
  server = await startServer({ backend: 'sqlite', args: ['--credentials', file] });
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

for (const py of PYTHONS) {
  describe(py.name, () => {
    let o: Record<string, Call>;
    before(async () => {
      o = await pythonScenario(py.python, [SCRIPT, server.url, await materials(), TARGET, BOB.accessKeyId, BOB.secretAccessKey]);
    });

    test('CreateCertificateFromCsr: certificates for RSA and P-256 CSRs with their subjects; a tampered CSR is InvalidRequestException', () => {
      okCall(o.rsa, 'RSA CSR');
      okCall(o.p256, 'P-256 CSR');
      assert.equal(new X509Certificate(o.rsa.certificatePem).subject, 'CN=wire-rsa\nO=Warden Wire');
      assert.equal(o.rsa.certificateArn, arn(SOURCE, o.rsa.certificateId));
      assert.equal(o.describeRsa.certificateDescription.status, 'ACTIVE');
      assert.deepEqual(o.describeRsa.certificateDescription.transferData, {});
      errCall(o.tampered, 'InvalidRequestException', 400, 'tampered CSR');
      assert.match(o.tampered.message, /^certificateSigningRequest has a signature that does not verify/);
    });

    test('transfer accepted: PENDING_TRANSFER on both sides, then the target owns it and the source cannot revert it', () => {
      errCall(o.transferActive, 'CertificateStateException', 406, 'ACTIVE certificate');
      okCall(o.transfer, 'transfer');
      assert.equal(o.transfer.transferredCertificateArn, arn(TARGET, o.rsa.certificateId));
      for (const side of [o.pendingSource, o.pendingTarget]) {
        const d = side.certificateDescription;
        assert.equal(d.status, 'PENDING_TRANSFER');
        assert.equal(d.ownedBy, SOURCE);
        assert.equal(d.transferData.transferMessage, 'to the lab');
        assert.equal(d.transferData.transferDate.tzaware, true);
      }
      assert.equal(o.targetListsPending, true);
      errCall(o.acceptBySource, 'InvalidRequestException', 400, 'accept by the source');
      errCall(o.cancelByTarget, 'InvalidRequestException', 400, 'cancel by the target');
      okCall(o.accept, 'accept');
      const d = o.accepted.certificateDescription;
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.ownedBy, TARGET);
      assert.equal(d.previousOwnedBy, SOURCE);
      assert.equal(d.certificateArn, arn(TARGET, o.rsa.certificateId));
      assert.equal(d.transferData.acceptDate.datetime, true);
      errCall(o.sourceAfterAccept, 'ResourceNotFoundException', 404, 'the source after accept');
      assert.equal(o.sourceListsAccepted, false);
      errCall(o.cancelAfterAccept, 'TransferAlreadyCompletedException', 410, 'cancel after accept');
    });

    test('transfer rejected (INACTIVE with the reason), transferred again and cancelled', () => {
      okCall(o.transferP256, 'transfer');
      okCall(o.reject, 'reject');
      const r = o.rejected.certificateDescription;
      assert.equal(r.status, 'INACTIVE');
      assert.equal(r.ownedBy, SOURCE);
      assert.equal(r.transferData.rejectReason, 'wrong fleet');
      assert.equal(r.transferData.rejectDate.datetime, true);
      errCall(o.acceptAfterReject, 'TransferAlreadyCompletedException', 410, 'accept after reject');
      okCall(o.transferAgain, 'transfer again');
      okCall(o.cancel, 'cancel');
      assert.equal(o.cancelled.certificateDescription.status, 'INACTIVE');
      errCall(o.targetAfterCancel, 'ResourceNotFoundException', 404, 'the target after cancel');
      errCall(o.acceptUnknown, 'ResourceNotFoundException', 404, 'unknown certificate');
    });
  });
}

for (const cli of CLIS) {
  describe(cli.name, () => {
    const src = awsIot(cli, () => server.url);
    /** The same as `src` with the target account's credential. */
    const asTarget = (args: string[]) =>
      runCli(cli.cmd, ['--endpoint-url', server.url, '--output', 'json', 'iot', ...args], {
        env: { ...clientEnv(), AWS_ACCESS_KEY_ID: BOB.accessKeyId, AWS_SECRET_ACCESS_KEY: BOB.secretAccessKey },
        timeoutMs: 60_000,
      });
    const dst = {
      async ok(args: string[]) {
        const r = await asTarget(args);
        assert.equal(r.code, 0, `aws iot ${args.join(' ')} (target) exited ${r.code}:\n${r.stderr}`);
        return r.stdout.trim() ? JSON.parse(r.stdout) : {};
      },
      async fails(args: string[], code: string, operation: string) {
        const r = await asTarget(args);
        assert.equal(r.code, cli.errorExit, r.stderr);
        assert.ok(r.stderr.includes(errorLine(code, operation)), r.stderr);
      },
    };

    test('create from a CSR, transfer, describe on both sides, accept with --set-as-active; reject and cancel refused afterwards', async () => {
      const dir = await materials();
      const file = (name: string) => `file://${join(dir, name)}`;
      const made = await src.ok(['create-certificate-from-csr', '--certificate-signing-request', file('p256.csr')]);
      assert.equal(new X509Certificate(made.certificatePem).subject, 'CN=wire-p256\nO=Warden Wire');
      assert.match(
        await src.fails(['create-certificate-from-csr', '--certificate-signing-request', file('tampered.csr')], 'InvalidRequestException', 'CreateCertificateFromCsr'),
        /^certificateSigningRequest has a signature that does not verify/,
      );
      const id = made.certificateId;
      const t = await src.ok(['transfer-certificate', '--certificate-id', id, '--target-aws-account', TARGET, '--transfer-message', 'cli transfer']);
      assert.equal(t.transferredCertificateArn, arn(TARGET, id));
      const pending = (await dst.ok(['describe-certificate', '--certificate-id', id])).certificateDescription;
      assert.equal(pending.status, 'PENDING_TRANSFER');
      assert.equal(pending.transferData.transferMessage, 'cli transfer');
      assert.ok((await dst.ok(['list-certificates'])).certificates.some((c: Call) => c.certificateId === id));
      await src.fails(['accept-certificate-transfer', '--certificate-id', id], 'InvalidRequestException', 'AcceptCertificateTransfer');
      assert.deepEqual(await dst.ok(['accept-certificate-transfer', '--certificate-id', id, '--set-as-active']), {});
      const accepted = (await dst.ok(['describe-certificate', '--certificate-id', id])).certificateDescription;
      assert.equal(accepted.status, 'ACTIVE');
      assert.equal(accepted.ownedBy, TARGET);
      assert.equal(accepted.previousOwnedBy, SOURCE);
      await src.fails(['cancel-certificate-transfer', '--certificate-id', id], 'TransferAlreadyCompletedException', 'CancelCertificateTransfer');
      await dst.fails(['reject-certificate-transfer', '--certificate-id', id, '--reject-reason', 'too late'], 'TransferAlreadyCompletedException', 'RejectCertificateTransfer');

      const second = (await src.ok(['create-certificate-from-csr', '--certificate-signing-request', file('rsa.csr')])).certificateId;
      await src.ok(['transfer-certificate', '--certificate-id', second, '--target-aws-account', TARGET]);
      await dst.ok(['reject-certificate-transfer', '--certificate-id', second, '--reject-reason', 'not ours']);
      const back = (await src.ok(['describe-certificate', '--certificate-id', second])).certificateDescription;
      assert.equal(back.status, 'INACTIVE');
      assert.equal(back.transferData.rejectReason, 'not ours');
      await src.ok(['transfer-certificate', '--certificate-id', second, '--target-aws-account', TARGET]);
      assert.deepEqual(await src.ok(['cancel-certificate-transfer', '--certificate-id', second]), {});
      await dst.fails(['describe-certificate', '--certificate-id', second], 'ResourceNotFoundException', 'DescribeCertificate');
    });
  });
}
