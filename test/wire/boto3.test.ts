// Mitigation-action CRUD through real boto3, under both Pythons of the image:
//   python3          pyenv, boto3 1.43 (signs with service name `iot`)
//   /usr/bin/python3 Debian, boto3 1.26 (signs with service name `execute-api`)
// test/wire/py/mitigation_actions.py runs the scenario and prints its observations as JSON;
// this file asserts on them. One server for the file, reset before each client.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, reset, startServer, type Running } from '../harness.js';
import { actionArn, pythonScenario, UUID } from './env.js';

const SCRIPT = join(ROOT, 'test/wire/py/mitigation_actions.py');

const CLIENTS = [
  { name: 'boto3 1.43 on pyenv python3', python: 'python3', signingName: 'iot' },
  { name: 'boto3 1.26 on Debian /usr/bin/python3', python: '/usr/bin/python3', signingName: 'execute-api' },
];

// Must match the script.
const ROLE = 'arn:aws:iam::000000000000:role/warden-mitigation';
const ROLE2 = 'arn:aws:iam::000000000000:role/warden-mitigation-2';
const LOG_ROLE = 'arn:aws:iam::000000000000:role/warden-logging';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:warden-findings';
const SIX: Record<string, { type: string; params: Record<string, unknown> }> = {
  'wire-cert': { type: 'UPDATE_DEVICE_CERTIFICATE', params: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } },
  'wire-ca': { type: 'UPDATE_CA_CERTIFICATE', params: { updateCACertificateParams: { action: 'DEACTIVATE' } } },
  'wire-group': {
    type: 'ADD_THINGS_TO_THING_GROUP',
    params: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'], overrideDynamicGroups: true } },
  },
  'wire-policy': { type: 'REPLACE_DEFAULT_POLICY_VERSION', params: { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } } },
  'wire-logging': { type: 'ENABLE_IOT_LOGGING', params: { enableIoTLoggingParams: { roleArnForLogging: LOG_ROLE, logLevel: 'ERROR' } } },
  'wire-sns': { type: 'PUBLISH_FINDING_TO_SNS', params: { publishFindingToSnsParams: { topicArn: TOPIC } } },
};
const SIX_SORTED = Object.keys(SIX).sort();

/** One recorded call: a response ({ok: true, status, ...members}) or a ClientError. */
type Call = Record<string, any>;

function assertOk(c: Call, what: string): void {
  assert.equal(c.ok, true, `${what}: expected success, got ${c.code} (${c.status}): ${c.message}`);
  assert.equal(c.status, 200, what);
}

function assertError(c: Call, code: string, status: number, message: string | RegExp, what: string): void {
  assert.equal(c.ok, false, `${what}: expected ${code}, but the call succeeded: ${JSON.stringify(c)}`);
  assert.equal(c.code, code, `${what}: ${c.message}`);
  assert.equal(c.status, status, what);
  if (typeof message === 'string') assert.ok(c.message.includes(message), `${what}: message ${JSON.stringify(c.message)} lacks ${JSON.stringify(message)}`);
  else assert.match(c.message, message, what);
}

const names = (list: Call): string[] => list.actionIdentifiers.map((a: Call) => a.actionName);

/** A timestamp as the script records it: boto3 must have parsed it into an aware datetime. */
function assertDatetime(t: Call, from: number, to: number, what: string): void {
  assert.equal(t?.datetime, true, `${what}: not parsed as a datetime: ${JSON.stringify(t)}`);
  assert.equal(t.tzaware, true, `${what}: naive datetime`);
  assert.ok(t.epoch >= from - 5 && t.epoch <= to + 5, `${what}: ${t.epoch} is not within the run (${from}..${to})`);
}

let server: Running;

before(async () => {
  server = await startServer({ backend: 'sqlite' });
});

after(async () => {
  await server?.cleanup();
});

for (const client of CLIENTS) {
  describe(client.name, () => {
    let o: Record<string, Call>;
    let from = 0;
    let to = 0;

    before(async () => {
      await reset(server.url);
      from = Date.now() / 1000;
      o = await pythonScenario(client.python, [SCRIPT, server.url]);
      to = Date.now() / 1000;
    });

    test('is the intended boto3, signing with its own service name', () => {
      assert.equal(o.client.signingName, client.signingName, `boto3 ${o.client.boto3}`);
    });

    test('creates all six action types with a UUID actionId and a regional ARN', () => {
      const ids = new Set<string>();
      for (const name of Object.keys(SIX)) {
        const c = o.create[name];
        assertOk(c, `create ${name}`);
        assert.equal(c.actionArn, actionArn(name));
        assert.match(c.actionId, UUID);
        ids.add(c.actionId);
      }
      assert.equal(ids.size, 6, 'every action has its own id');
    });

    test('describes each action with its derived actionType, params and datetimes', () => {
      for (const [name, { type, params }] of Object.entries(SIX)) {
        const d = o.describe[name];
        assertOk(d, `describe ${name}`);
        assert.equal(d.actionName, name);
        assert.equal(d.actionType, type, name);
        assert.equal(d.actionArn, o.create[name].actionArn);
        assert.equal(d.actionId, o.create[name].actionId);
        assert.equal(d.roleArn, ROLE);
        assert.deepEqual(d.actionParams, params, name);
        assertDatetime(d.creationDate, from, to, `${name} creationDate`);
        assertDatetime(d.lastModifiedDate, from, to, `${name} lastModifiedDate`);
        assert.equal(d.lastModifiedDate.epoch, d.creationDate.epoch, `${name}: never modified`);
      }
    });

    test('lists actions sorted by name and filters by actionType', () => {
      assertOk(o.list, 'list');
      assert.deepEqual(names(o.list), SIX_SORTED);
      assert.equal(o.list.nextToken, undefined, 'one page');
      for (const item of o.list.actionIdentifiers) {
        assert.equal(item.actionArn, actionArn(item.actionName));
        assertDatetime(item.creationDate, from, to, `list ${item.actionName}`);
        assert.equal(item.creationDate.epoch, o.describe[item.actionName].creationDate.epoch);
      }
      assert.deepEqual(names(o.listByType.ENABLE_IOT_LOGGING), ['wire-logging']);
      assert.deepEqual(names(o.listByType.ADD_THINGS_TO_THING_GROUP), ['wire-group']);
      assert.deepEqual(names(o.listByType.UPDATE_CA_CERTIFICATE), ['wire-ca']);
    });

    test('updates roleArn, and actionParams to another type, keeping name and ids', () => {
      assertOk(o.updateRole, 'update roleArn');
      assert.equal(o.updateRole.actionArn, o.create['wire-cert'].actionArn);
      assert.equal(o.updateRole.actionId, o.create['wire-cert'].actionId);
      const r = o.afterUpdateRole;
      assert.equal(r.roleArn, ROLE2);
      assert.equal(r.actionType, 'UPDATE_DEVICE_CERTIFICATE');
      assert.deepEqual(r.actionParams, SIX['wire-cert'].params);
      assert.equal(r.creationDate.epoch, o.describe['wire-cert'].creationDate.epoch, 'creationDate unchanged');
      assert.ok(r.lastModifiedDate.epoch > r.creationDate.epoch, `lastModifiedDate ${r.lastModifiedDate.epoch} not after creationDate ${r.creationDate.epoch}`);

      assertOk(o.updateType, 'update actionParams');
      assert.equal(o.updateType.actionId, o.create['wire-ca'].actionId);
      const t = o.afterUpdateType;
      assert.equal(t.actionType, 'PUBLISH_FINDING_TO_SNS');
      assert.deepEqual(t.actionParams, { publishFindingToSnsParams: { topicArn: TOPIC } }, 'the old params member is gone');
      assert.equal(t.roleArn, ROLE, 'roleArn untouched when only actionParams is given');
      assert.deepEqual(names(o.listByTypeAfterUpdate.UPDATE_CA_CERTIFICATE), []);
      assert.deepEqual(names(o.listByTypeAfterUpdate.PUBLISH_FINDING_TO_SNS), ['wire-ca', 'wire-sns']);
    });

    test('rejects bad updates and leaves the action unchanged', () => {
      assertError(o.updateMissing, 'ResourceNotFoundException', 404, 'wire-missing', 'update missing');
      assertError(o.updateDisabled, 'InvalidRequestException', 400, 'DISABLED', 'update to logLevel DISABLED');
      assertError(o.updateTwoParams, 'InvalidRequestException', 400, 'actionParams', 'update with two params members');
      const d = o.afterBadUpdates;
      assert.deepEqual(d.actionParams, SIX['wire-logging'].params);
      assert.equal(d.lastModifiedDate.epoch, o.describe['wire-logging'].lastModifiedDate.epoch);
    });

    test('re-create with identical roleArn and params succeeds with the same ids', () => {
      for (const k of ['recreateSame', 'recreateSameReordered']) {
        assertOk(o[k], k);
        assert.equal(o[k].actionId, o.create['wire-group'].actionId, k);
        assert.equal(o[k].actionArn, o.create['wire-group'].actionArn, k);
      }
      // Compared with the current (updated) definition, not the original one.
      assertOk(o.recreateUpdatedSame, 'recreate with the updated role');
      assert.equal(o.recreateUpdatedSame.actionId, o.create['wire-cert'].actionId);
    });

    test('re-create with different params or role answers ResourceAlreadyExistsException with resourceId and resourceArn', () => {
      const cases: [string, string][] = [
        ['recreateOtherParams', 'wire-group'],
        ['recreateOtherRole', 'wire-group'],
        ['recreateUpdatedOld', 'wire-cert'],
      ];
      for (const [k, name] of cases) {
        const e = o[k];
        assertError(e, 'ResourceAlreadyExistsException', 409, name, k);
        assert.equal(e.exceptionClass, 'ResourceAlreadyExistsException', 'boto3 raises the modeled exception class');
        assert.equal(e.extra.resourceId, o.create[name].actionId, `${k}: resourceId`);
        assert.equal(e.extra.resourceArn, o.create[name].actionArn, `${k}: resourceArn`);
      }
    });

    test('rejects invalid requests with InvalidRequestException in AWS wording, storing nothing', () => {
      assertError(o.createDisabled, 'InvalidRequestException', 400, 'DISABLED', 'create with logLevel DISABLED');
      assertError(o.describeDisabled, 'ResourceNotFoundException', 404, 'wire-disabled', 'the DISABLED action was not stored');
      assertError(o.createTwoParams, 'InvalidRequestException', 400, /actionParams.*updateDeviceCertificateParams, updateCACertificateParams/, 'two params');
      assertError(o.createNoParams, 'InvalidRequestException', 400, 'actionParams', 'no params');
      assertError(
        o.createBadName,
        'InvalidRequestException',
        400,
        "1 validation error detected: Value 'bad name!' at 'actionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
        'bad name',
      );
      assert.equal(o.createBadName.message, "1 validation error detected: Value 'bad name!' at 'actionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+");
      assertError(o.createLongName, 'InvalidRequestException', 400, "at 'actionName' failed to satisfy constraint: Member must have length less than or equal to 128", 'long name');
      assert.equal(
        o.listMaxResults300.message,
        "1 validation error detected: Value 300 at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 250",
      );
      assertError(o.listMaxResults300, 'InvalidRequestException', 400, 'maxResults', 'maxResults 300');
      assertError(o.listBadType, 'InvalidRequestException', 400, /'NOT_A_TYPE' at 'actionType'.*enum value set/, 'bad actionType filter');
      assertError(o.listBadToken, 'InvalidRequestException', 400, 'nextToken', 'forged nextToken');
      assert.match(o.listBadToken.requestId, /\S/, 'errors carry a request id');
      assert.deepEqual(names(o.afterValidation), SIX_SORTED, 'no failed create left anything behind');
    });

    test('delete succeeds for existing and missing actions; describe of missing is ResourceNotFoundException', () => {
      assertOk(o.deleteExisting, 'delete');
      assertError(o.describeDeleted, 'ResourceNotFoundException', 404, 'wire-sns', 'describe deleted');
      assertOk(o.deleteAgain, 'delete again');
      assertOk(o.deleteMissing, 'delete missing');
      assertError(o.describeMissing, 'ResourceNotFoundException', 404, 'never-existed', 'describe missing');
      assert.deepEqual(names(o.afterDelete), SIX_SORTED.filter((n) => n !== 'wire-sns'));
    });

    test('regions are separate and the ARN carries the region', () => {
      assertError(o.euDescribe, 'ResourceNotFoundException', 404, 'wire-cert', 'eu-west-1 does not see us-east-1');
      assertOk(o.euCreate, 'create the same name in eu-west-1');
      assert.equal(o.euCreate.actionArn, actionArn('wire-cert', 'eu-west-1'));
      assert.notEqual(o.euCreate.actionId, o.create['wire-cert'].actionId);
      assert.deepEqual(o.euList.actionIdentifiers.map((a: Call) => a.actionArn), [actionArn('wire-cert', 'eu-west-1')]);
      assert.equal(o.usAfterEu.actionId, o.create['wire-cert'].actionId, 'us-east-1 action untouched');
      assert.equal(o.usAfterEu.roleArn, ROLE2);
    });

    test('an unimplemented operation answers NotImplementedException (501)', () => {
      assertError(o.listJobs, 'NotImplementedException', 501, 'ListJobs', 'list_jobs');
    });

    test('the paginator walks 5 actions in pages of 2, in name order', () => {
      assert.deepEqual(names(o.emptied), []);
      assert.deepEqual(o.paginator.names, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
      assert.deepEqual(o.paginator.pageSizes, [2, 2, 1]);
      const [t1, t2, t3] = o.paginator.tokens;
      assert.equal(typeof t1, 'string');
      assert.equal(typeof t2, 'string');
      assert.notEqual(t1, t2);
      assert.equal(t3, null, 'the last page has no nextToken');
      assert.deepEqual(names(o.page1), ['page-0', 'page-1']);
      assert.deepEqual(names(o.page2), ['page-2', 'page-3']);
      assert.equal(typeof o.page2.nextToken, 'string');
      assert.deepEqual(names(o.paginatorMaxItems), ['page-0', 'page-1', 'page-2']);
      assert.equal(typeof o.paginatorMaxItems.NextToken, 'string', 'MaxItems 3 leaves a resume token');
    });

    test('the 101st action answers LimitExceededException (410), per region', () => {
      assert.equal(o.count100, 100);
      assertError(o.create101, 'LimitExceededException', 410, /100/, 'the 101st action');
      assertOk(o.recreateAtLimit, 'an identical re-create at the limit still succeeds');
      assertOk(o.euAtUsLimit, 'eu-west-1 has its own quota');
    });
  });
}
