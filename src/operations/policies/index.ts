import type { IotService } from '../../generated/service.js';
import { AttachPolicy } from './attachments/AttachPolicy.js';
import { DetachPolicy } from './attachments/DetachPolicy.js';
import { GetEffectivePolicies } from './attachments/GetEffectivePolicies.js';
import { ListAttachedPolicies } from './attachments/ListAttachedPolicies.js';
import { ListTargetsForPolicy } from './attachments/ListTargetsForPolicy.js';
import { AttachPrincipalPolicy, DetachPrincipalPolicy, ListPolicyPrincipals, ListPrincipalPolicies } from './attachments/principal-policies.js';
import { CreatePolicy } from './CreatePolicy.js';
import { CreatePolicyVersion } from './CreatePolicyVersion.js';
import { DeletePolicy } from './DeletePolicy.js';
import { DeletePolicyVersion } from './DeletePolicyVersion.js';
import { GetPolicy } from './GetPolicy.js';
import { GetPolicyVersion } from './GetPolicyVersion.js';
import { ListPolicies } from './ListPolicies.js';
import { ListPolicyVersions } from './ListPolicyVersions.js';
import { GetLoggingOptions } from '../logging/GetLoggingOptions.js';
import { GetV2LoggingOptions } from '../logging/GetV2LoggingOptions.js';
import { SetLoggingOptions } from '../logging/SetLoggingOptions.js';
import { SetV2LoggingOptions } from '../logging/SetV2LoggingOptions.js';
import { CreateRoleAlias } from '../role-aliases/CreateRoleAlias.js';
import { DeleteRoleAlias } from '../role-aliases/DeleteRoleAlias.js';
import { DescribeRoleAlias } from '../role-aliases/DescribeRoleAlias.js';
import { ListRoleAliases } from '../role-aliases/ListRoleAliases.js';
import { UpdateRoleAlias } from '../role-aliases/UpdateRoleAlias.js';
import { SetDefaultPolicyVersion } from './SetDefaultPolicyVersion.js';
import { ListTagsForResource } from '../tags/ListTagsForResource.js';
import { TagResource } from '../tags/TagResource.js';
import { UntagResource } from '../tags/UntagResource.js';

/** The policies family's operations: policies and versions, attachments, logging, role aliases, tags. */
export const policiesOperations: Partial<IotService> = {
  CreatePolicy,
  GetPolicy,
  ListPolicies,
  DeletePolicy,
  CreatePolicyVersion,
  GetPolicyVersion,
  ListPolicyVersions,
  SetDefaultPolicyVersion,
  DeletePolicyVersion,
  AttachPolicy,
  DetachPolicy,
  ListAttachedPolicies,
  ListTargetsForPolicy,
  GetEffectivePolicies,
  AttachPrincipalPolicy,
  DetachPrincipalPolicy,
  ListPrincipalPolicies,
  ListPolicyPrincipals,
  SetV2LoggingOptions,
  GetV2LoggingOptions,
  SetLoggingOptions,
  GetLoggingOptions,
  CreateRoleAlias,
  DescribeRoleAlias,
  ListRoleAliases,
  UpdateRoleAlias,
  DeleteRoleAlias,
  TagResource,
  UntagResource,
  ListTagsForResource,
};
