// AWS's own texts on the certificate paths (src/registry/aws-messages.ts), and the not-found rule:
// a well-formed certificate or CA certificate id that names nothing is ResourceNotFoundException.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  AttachPrincipalPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCACertificateCommand,
  DeleteCertificateCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  GetEffectivePoliciesCommand,
  GetRegistrationCodeCommand,
  ListAttachedPoliciesCommand,
  ListCertificatesByCACommand,
  ListPrincipalPoliciesCommand,
  ListPrincipalThingsCommand,
  ListPrincipalThingsV2Command,
  ListTagsForResourceCommand,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  TagResourceCommand,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running } from '../harness.js';
import { assertFails, failure, makeCa, makeLeaf, makeSelfSigned, type TestCa } from './certificates-helpers.js';

const ALREADY = 'The certificate is already provisioned or registered';
const ARN = 'arn:aws:iot:us-east-1:000000000000';
const POLICY_DOC = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] });

for (const backend of BACKENDS) {
  describe(`certificate error texts through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    async function registerCa(ca: TestCa): Promise<string> {
      const { registrationCode } = await client.send(new GetRegistrationCodeCommand({}));
      const verificationCertificate = await makeLeaf(ca, { subject: `CN=${registrationCode}` });
      return (await client.send(new RegisterCACertificateCommand({ caCertificate: ca.pem, verificationCertificate, setAsActive: true }))).certificateId!;
    }

    /** The registration must fail as AWS does, with the id and ARN of the registered certificate. */
    async function alreadyRegistered(p: Promise<unknown>, certificateId: string): Promise<void> {
      const e = await failure(p);
      assert.equal(e.name, 'ResourceAlreadyExistsException', e.message);
      assert.equal(e.$metadata.httpStatusCode, 409);
      assert.equal(e.message, ALREADY);
      assert.equal(e.resourceId, certificateId);
      assert.equal(e.resourceArn, `${ARN}:cert/${certificateId}`);
    }

    test('a certificate already registered is ResourceAlreadyExistsException with AWS\'s text whatever its issuer, before any CA check', async () => {
      await reset(server.url);
      // Registered without a CA; its issuer is not registered, so RegisterCertificate would otherwise fail on the CA.
      const stranger = await makeCa();
      const orphan = await makeLeaf(stranger);
      const o = await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: orphan }));
      await alreadyRegistered(client.send(new RegisterCertificateWithoutCACommand({ certificatePem: orphan })), o.certificateId!);
      await alreadyRegistered(client.send(new RegisterCertificateCommand({ certificatePem: orphan })), o.certificateId!);
      await alreadyRegistered(client.send(new RegisterCertificateCommand({ certificatePem: orphan, caCertificatePem: stranger.pem })), o.certificateId!);

      // Registered through its CA, which is INACTIVE by the second attempt.
      const ca = await makeCa();
      const caId = await registerCa(ca);
      const leaf = await makeLeaf(ca);
      const r = await client.send(new RegisterCertificateCommand({ certificatePem: leaf }));
      await alreadyRegistered(client.send(new RegisterCertificateCommand({ certificatePem: leaf })), r.certificateId!);
      await alreadyRegistered(client.send(new RegisterCertificateWithoutCACommand({ certificatePem: leaf })), r.certificateId!);
      await client.send(new UpdateCACertificateCommand({ certificateId: caId, newStatus: 'INACTIVE' }));
      await alreadyRegistered(client.send(new RegisterCertificateCommand({ certificatePem: leaf, caCertificatePem: ca.pem })), r.certificateId!);
      // A new certificate of that CA still meets the CA check.
      await assertFails(client.send(new RegisterCertificateCommand({ certificatePem: await makeLeaf(ca) })), 'CertificateValidationException', 400, /must be ACTIVE/);
    });

    test('a well-formed certificate or CA certificate id that names nothing is ResourceNotFoundException, never InvalidRequestException', async () => {
      await reset(server.url);
      const id = 'a'.repeat(64);
      const certArn = `${ARN}:cert/${id}`;
      const caArn = `${ARN}:cacert/${id}`;
      await client.send(new CreateThingCommand({ thingName: 't' }));
      await client.send(new CreatePolicyCommand({ policyName: 'p', policyDocument: POLICY_DOC }));
      // A registered certificate exists, so the lists are not empty by accident.
      await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: await makeSelfSigned() }));
      const calls: [string, () => Promise<unknown>][] = [
        ['DescribeCertificate', () => client.send(new DescribeCertificateCommand({ certificateId: id }))],
        ['DescribeCertificate (upper case)', () => client.send(new DescribeCertificateCommand({ certificateId: id.toUpperCase() }))],
        ['UpdateCertificate', () => client.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }))],
        ['DeleteCertificate', () => client.send(new DeleteCertificateCommand({ certificateId: id }))],
        ['DescribeCACertificate', () => client.send(new DescribeCACertificateCommand({ certificateId: id }))],
        ['UpdateCACertificate', () => client.send(new UpdateCACertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }))],
        ['DeleteCACertificate', () => client.send(new DeleteCACertificateCommand({ certificateId: id }))],
        ['AttachThingPrincipal', () => client.send(new AttachThingPrincipalCommand({ thingName: 't', principal: certArn }))],
        ['AttachPolicy', () => client.send(new AttachPolicyCommand({ policyName: 'p', target: certArn }))],
        ['AttachPrincipalPolicy', () => client.send(new AttachPrincipalPolicyCommand({ policyName: 'p', principal: certArn }))],
        ['ListAttachedPolicies', () => client.send(new ListAttachedPoliciesCommand({ target: certArn }))],
        ['ListPrincipalPolicies', () => client.send(new ListPrincipalPoliciesCommand({ principal: certArn }))],
        ['ListPrincipalThings', () => client.send(new ListPrincipalThingsCommand({ principal: certArn }))],
        ['ListPrincipalThingsV2', () => client.send(new ListPrincipalThingsV2Command({ principal: certArn }))],
        ['GetEffectivePolicies', () => client.send(new GetEffectivePoliciesCommand({ principal: certArn }))],
        ['TagResource (CA)', () => client.send(new TagResourceCommand({ resourceArn: caArn, tags: [{ Key: 'k', Value: 'v' }] }))],
        ['ListTagsForResource (CA)', () => client.send(new ListTagsForResourceCommand({ resourceArn: caArn }))],
      ];
      for (const [what, call] of calls) {
        const e = await failure(call());
        assert.equal(e.name, 'ResourceNotFoundException', `${what}: ${e.message}`);
        assert.equal(e.$metadata.httpStatusCode, 404, what);
      }
      // The model lists no ResourceNotFoundException for ListCertificatesByCA: an unknown CA has no certificates.
      assert.deepEqual((await client.send(new ListCertificatesByCACommand({ caCertificateId: id }))).certificates, []);
    });
  });
}
