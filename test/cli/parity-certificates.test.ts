// Parity for CreateCertificateFromCsr and the certificate transfers: the same command lines through
// Debian's AWS CLI v2 (/usr/bin/aws, through test/wire/cli-runner.ts) and `warden iot` (iotMain in this
// process, as test/cli/parity.test.ts runs it), against one server; stdout and exit codes must be
// identical, or identical once the generated certificate ids and PEM are replaced.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reset, startServer, type Running } from '../harness.js';
import { makeCsr, tamper } from '../operations/csr-helpers.js';
import { stopCliRunners, type CliResult } from '../wire/cli-runner.js';
import { parityClis } from './parity-helpers.js';

const TARGET = '111111111111';
let server: Running;
let dir: string;
const { cli, same } = parityClis(() => server.url);
type Which = 'aws' | 'warden';


async function alike(
  args: (which: Which) => string[],
  idOf: (which: Which, r: CliResult) => string,
  expectCode = 0,
): Promise<Record<Which, CliResult>> {
  const r = { aws: await cli('aws', args('aws')), warden: await cli('warden', args('warden')) };
  assert.equal(r.warden.code, r.aws.code, `exit codes: aws ${r.aws.stderr} / warden ${r.warden.stderr}`);
  assert.equal(r.aws.code, expectCode, r.aws.stderr);
  const norm = (which: Which) => r[which].stdout.replaceAll(idOf(which, r[which]), 'ID').replace(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g, 'PEM');
  assert.equal(norm('warden'), norm('aws'));
  return r;
}

before(async () => {
  server = await startServer({ backend: 'sqlite' });
  await reset(server.url);
  dir = mkdtempSync(join(tmpdir(), 'warden-parity-certs-'));
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('certificates from CSRs and transfers: aws iot and warden iot', () => {
  const id: Record<Which, string> = { aws: '', warden: '' };
  const known = (which: Which) => id[which];
  const csrFile = (which: string) => `file://${join(dir, `${which}.csr`)}`;
  const outFile = (which: string) => join(dir, `${which}.pem`);

  test('create-certificate-from-csr: the same output (and --certificate-pem-outfile) but for the id and PEM; a tampered CSR fails alike', async () => {
    for (const which of ['aws', 'warden']) writeFileSync(join(dir, `${which}.csr`), (await makeCsr(`CN=parity-${which}`, 'EC P-256')).pem);
    writeFileSync(join(dir, 'tampered.csr'), tamper((await makeCsr('CN=parity-aaaa', 'EC P-256')).pem, 'parity-aaaa', 'parity-bbbb'));
    const r = await alike(
      (which) => ['create-certificate-from-csr', '--certificate-signing-request', csrFile(which), '--certificate-pem-outfile', outFile(which)],
      (_, res) => JSON.parse(res.stdout).certificateId,
    );
    for (const which of ['aws', 'warden'] as const) {
      const out = JSON.parse(r[which].stdout);
      id[which] = out.certificateId;
      assert.equal(readFileSync(outFile(which), 'utf8'), out.certificatePem, `${which} wrote the certificate it printed`);
      assert.equal(new X509Certificate(out.certificatePem).subject, `CN=parity-${which}`);
    }
    assert.notEqual(id.aws, id.warden);
    const bad = await same(['create-certificate-from-csr', '--certificate-signing-request', csrFile('tampered')], 254);
    assert.match(bad.stderr, /An error occurred \(InvalidRequestException\) when calling the CreateCertificateFromCsr operation: certificateSigningRequest has a signature/);
  });

  test('transfer-certificate and describe-certificate in every output; the refusals alike', async () => {
    await alike((which) => ['transfer-certificate', '--certificate-id', id[which], '--target-aws-account', TARGET, '--transfer-message', 'parity transfer'], known);
    const query = '{s: status, o: ownedBy, p: previousOwnedBy, m: transferData.transferMessage, t: transferData.transferDate, r: transferData.rejectReason}';
    for (const output of ['json', 'text', 'table', 'yaml']) {
      await same(['describe-certificate', '--certificate-id', id.aws, '--output', output, '--query', `certificateDescription.${query}`]);
    }
    await same(['describe-certificate', '--certificate-id', id.warden]);
    await same(['list-certificates', '--query', 'certificates[].[certificateId, status]', '--output', 'text']);
    const again = await same(['transfer-certificate', '--certificate-id', id.aws, '--target-aws-account', TARGET], 254);
    assert.match(again.stderr, /\(CertificateStateException\) when calling the TransferCertificate operation/);
    await same(['accept-certificate-transfer', '--certificate-id', id.aws, '--set-as-active'], 254);
    await same(['reject-certificate-transfer', '--certificate-id', id.aws, '--reject-reason', 'mine'], 254);
    await same(['transfer-certificate', '--certificate-id', id.aws, '--target-aws-account', 'abc'], 252);
  });

  test('cancel-certificate-transfer: no output, INACTIVE again, a second cancel is TransferAlreadyCompletedException', async () => {
    await alike((which) => ['cancel-certificate-transfer', '--certificate-id', id[which]], known);
    await same(['describe-certificate', '--certificate-id', id.aws, '--query', 'certificateDescription.[status, transferData.transferMessage]', '--output', 'text']);
    const r = await same(['cancel-certificate-transfer', '--certificate-id', id.warden], 254);
    assert.match(r.stderr, /\(TransferAlreadyCompletedException\) when calling the CancelCertificateTransfer operation/);
  });
});
