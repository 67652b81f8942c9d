import {
  CertificateStateException,
  DeleteConflictException,
  InvalidRequestException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  VersionsLimitExceededException,
} from '../generated/errors.js';

/**
 * AWS's own error texts, word for word (SEMANTICS.md section 10: no added full stop, AWS's typos
 * kept). AWS's API reference names the exceptions but not their messages; each text here was seen
 * in real AWS output quoted in public issue threads, CLI transcripts or CloudTrail records, or in
 * moto tests written against AWS. Every place that raises one of these errors builds it with
 * `awsError`, so the text lives only here. Cases whose AWS text nobody has published keep Warden's
 * own wording where they are raised (README: "Error messages").
 */

/** Extra members of an error shape (ResourceAlreadyExistsException's resourceId and resourceArn). */
type Members = { resourceId?: string; resourceArn?: string };

interface AwsMessage<P> {
  /** The operation(s) and case, for people reading the table. */
  readonly when: string;
  readonly exception: new (message: string, members?: Members) => Error;
  readonly message: (p: P) => string;
  /** Where the text was seen. */
  readonly source: string;
}

const entry = <P>(e: AwsMessage<P>): AwsMessage<P> => e;

export const AWS_MESSAGES = {
  thingStillAttached: entry({
    when: 'DeleteThing: principals are attached to the thing',
    exception: InvalidRequestException,
    message: (p: { thingName: string }) => `Cannot delete. Thing ${p.thingName} is still attached to one or more principals`,
    source: 'rebuy-de/aws-nuke#374; CGI-FR/IoT-Hub-Portal#2147 (AWS SDK for .NET output); aws/aws-connected-device-framework#76',
  }),
  certificateActive: entry({
    when: 'DeleteCertificate: the certificate is ACTIVE',
    exception: CertificateStateException,
    message: (p: { certificateId: string }) => `Certificate must be deactivated (not ACTIVE) before deletion. Id: ${p.certificateId}`,
    source: 'rebuy-de/aws-nuke#374; getmoto/moto#1908 (checked against AWS, commit 3d71a67)',
  }),
  certificateThingsAttached: entry({
    when: 'DeleteCertificate: things are attached to the certificate',
    exception: DeleteConflictException,
    message: (p: { certificateArn: string }) => `Things must be detached before deletion (arn: ${p.certificateArn})`,
    source: 'getmoto/moto#1908 (commit 3d71a67, written against AWS with its two texts above; tests/test_iot/test_iot_certificates.py)',
  }),
  certificatePoliciesAttached: entry({
    when: 'DeleteCertificate without forceDelete: policies are attached to the certificate',
    exception: DeleteConflictException,
    message: (p: { certificateArn: string }) => `Certificate policies must be detached before deletion (arn: ${p.certificateArn})`,
    source: 'getmoto/moto#1908 (commit 3d71a67, as above)',
  }),
  certificateAlreadyRegistered: entry({
    when: 'RegisterCertificate, RegisterCertificateWithoutCA: the certificate is already registered in the account and region',
    exception: ResourceAlreadyExistsException,
    message: (_p: Record<string, never>) => 'The certificate is already provisioned or registered',
    source: 'getmoto/moto#3320 (boto3 against AWS)',
  }),
  listThingPrincipalsNoThing: entry({
    when: 'ListThingPrincipals, ListThingPrincipalsV2: the thing does not exist',
    exception: ResourceNotFoundException,
    message: (p: { thingName: string }) => `Failed to list principals for thing ${p.thingName} because the thing does not exist in your account`,
    source: 'getmoto/moto#2910 (boto3 against AWS, ListThingPrincipals)',
  }),
  policyNameTaken: entry({
    when: 'CreatePolicy: a policy of that name exists',
    exception: ResourceAlreadyExistsException,
    message: (p: { policyName: string }) => `Policy cannot be created - name already exists (name=${p.policyName})`,
    source: 'getmoto/moto#5352',
  }),
  policyAttached: entry({
    when: 'DeletePolicy: the policy is attached to a target',
    exception: DeleteConflictException,
    message: (p: { policyName: string }) => `The policy cannot be deleted as the policy is attached to one or more principals (name=${p.policyName})`,
    source: 'rebuy-de/aws-nuke#374; getmoto/moto#1908',
  }),
  policyHasVersions: entry({
    when: 'DeletePolicy: the policy has versions besides the default (AWS writes "than than")',
    exception: DeleteConflictException,
    message: (_p: Record<string, never>) => 'The policy cannot be deleted as versions other than than default version exist',
    source: 'rebuy-de/aws-nuke#320; rebuy-de/aws-nuke#374',
  }),
  policyVersionsLimit: entry({
    when: 'CreatePolicyVersion: the policy already has five versions',
    exception: VersionsLimitExceededException,
    message: (p: { policyName: string }) => `The policy ${p.policyName} already has the maximum number of versions (5)`,
    source: 'hashicorp/terraform-provider-aws#30314; pulumi/pulumi-aws-native#792',
  }),
  thingGroupDifferentProperties: entry({
    when: 'CreateThingGroup (and CreateDynamicThingGroup): the name is taken by a group with other properties',
    exception: ResourceAlreadyExistsException,
    message: (p: { thingGroupName: string }) => `Thing Group ${p.thingGroupName} already exists in current account with different properties`,
    source: 'getmoto/moto#5316 (AWS CLI transcript, CreateThingGroup)',
  }),
  thingGroupHasChildren: entry({
    when: 'DeleteThingGroup: the group has child groups (AWS writes "group : <name>")',
    exception: InvalidRequestException,
    message: (p: { thingGroupName: string }) => `Cannot delete thing group : ${p.thingGroupName} when there are still child groups attached to it`,
    source: 'getmoto/moto#2941 (botocore output)',
  }),
  dynamicThingGroupNotSupported: entry({
    when: 'DeleteThingGroup (and UpdateThingGroup): the group is dynamic',
    exception: InvalidRequestException,
    message: (p: { thingGroupArn: string }) => `This operation does not support dynamic thing groups. Thing group arn: ${p.thingGroupArn}`,
    source: 'rebuy-de/aws-nuke#1199 (CloudTrail errorMessage of DeleteThingGroup)',
  }),
  deprecatedThingTypeCreate: entry({
    when: 'CreateThing: the thing type is deprecated (AWS writes "depreated" and no space after the colon)',
    exception: InvalidRequestException,
    message: (p: { thingTypeName: string }) => `Can not create new thing with depreated thing type:${p.thingTypeName}`,
    source: 'getmoto/moto#4192 (copied from AWS; its author notes the typo is AWS\'s)',
  }),
  deprecatedThingTypeUpdate: entry({
    when: 'UpdateThing: the new thing type is deprecated',
    exception: InvalidRequestException,
    message: (p: { thingTypeName: string }) => `Can not update a thing to use deprecated thing type: ${p.thingTypeName}`,
    source: 'getmoto/moto#4192',
  }),
} as const;

export type AwsMessageKey = keyof typeof AWS_MESSAGES;
type ParamsOf<K extends AwsMessageKey> = Parameters<(typeof AWS_MESSAGES)[K]['message']>[0];

/** The error AWS answers in that case, with AWS's text (and the shape's extra members, if any). */
export function awsError<K extends AwsMessageKey>(key: K, params: ParamsOf<K>, members?: Members): Error {
  const m = AWS_MESSAGES[key] as AwsMessage<ParamsOf<K>>;
  return new m.exception(m.message(params), members);
}
