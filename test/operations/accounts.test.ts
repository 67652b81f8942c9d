import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateMitigationActionCommand, DescribeMitigationActionCommand, ListMitigationActionsCommand } from '@aws-sdk/client-iot';
import { iot, ROLE, sampleActionParams, startServer, type Running } from '../harness.js';

describe('accounts from a credentials file', () => {
  let server: Running;
  const alice = { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' };
  const bob = { accessKeyId: 'AKIDBOB', secretAccessKey: 'bob-secret' };
  before(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'warden-creds-')), 'credentials.yaml');
    writeFileSync(
      file,
      `credentials:\n  - accessKeyId: ${alice.accessKeyId}\n    secretAccessKey: ${alice.secretAccessKey}\n    accountId: "111111111111"\n  - accessKeyId: ${bob.accessKeyId}\n    secretAccessKey: ${bob.secretAccessKey}\n    accountId: "222222222222"\n`,
    );
    server = await startServer({ args: ['--credentials', file] });
  });
  after(async () => server?.cleanup());

  test('each account sees only its own actions, with its own account id in the ARN', async () => {
    const a = iot(server.url, alice);
    const b = iot(server.url, bob);
    try {
      const created = await a.send(new CreateMitigationActionCommand({ actionName: 'mine', roleArn: ROLE, actionParams: sampleActionParams }));
      assert.equal(created.actionArn, 'arn:aws:iot:us-east-1:111111111111:mitigationaction/mine');
      await assert.rejects(b.send(new DescribeMitigationActionCommand({ actionName: 'mine' })), { name: 'ResourceNotFoundException' });
      assert.deepEqual((await b.send(new ListMitigationActionsCommand({}))).actionIdentifiers, []);
      const theirs = await b.send(new CreateMitigationActionCommand({ actionName: 'mine', roleArn: ROLE, actionParams: sampleActionParams }));
      assert.equal(theirs.actionArn, 'arn:aws:iot:us-east-1:222222222222:mitigationaction/mine');
      assert.notEqual(theirs.actionId, created.actionId);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  test('the default credential is not accepted when a file is given', async () => {
    const d = iot(server.url);
    try {
      await assert.rejects(d.send(new ListMitigationActionsCommand({})), { name: 'UnrecognizedClientException' });
    } finally {
      d.destroy();
    }
  });
});
