import type { Driver } from './driver.js';
import { BillingGroupRepo } from './billing-groups.js';
import { MitigationActionRepo } from './mitigation-actions.js';
import { MitigationPlanRepo } from './mitigation-plan.js';
import { MitigationTaskRepo } from './mitigation-tasks.js';
import { TagRepo } from './tags.js';
import { ThingGroupMemberRepo } from './thing-group-members.js';
import { ThingGroupRepo } from './thing-groups.js';
import { ThingTypeRepo } from './thing-types.js';
import { ThingRepo } from './things.js';
import { CaCertificateRepo } from './ca-certificates.js';
import { WardenCaRepo } from './cert-warden-cas.js';
import { CertificateRepo } from './certificates.js';
import { CertificateFactsRepo } from './certificate-facts.js';
import { ThingPrincipalRepo } from './thing-principals.js';
import { LoggingRepo } from './logging.js';
import { PolicyRepo } from './policies.js';
import { RegistryLookupRepo } from './policy-lookups.js';
import { PolicyTargetRepo } from './policy-targets.js';
import { RoleAliasRepo } from './role-aliases.js';
import { FindingRepo } from './findings.js';
import { ViolationRepo } from './violations.js';
import { DetectStateRepo } from './detect-states.js';
import { DetectCloudRepo } from './detect-cloud.js';
import { DetectMlRepo } from './detect-ml.js';
import { DetectRetainedRepo } from './detect-retained.js';
import { OutboxRepo } from './outbox.js';
import { IamRoleRepo } from './iam-roles.js';
import { ConnectionEventRepo } from './connection-events.js';
import { CrlRepo } from './crls.js';
import { AuditConfigurationRepo } from './audit-configurations.js';
import { AuditSuppressionRepo } from './audit-suppressions.js';
import { ScheduledAuditRepo } from './scheduled-audits.js';
import { AuditTaskRepo } from './audit-tasks.js';
import { CertificateAuditRepo } from './certificate-audit.js';
import { PolicyAuditRepo } from './policy-audit.js';
import { SecurityProfileRepo } from './security-profiles.js';
import { DimensionRepo } from './dimensions.js';
import { CustomMetricRepo } from './custom-metrics.js';

/**
 * Every repository, bound to one connection or one transaction. Adding a kind of resource:
 * a repo class in its own file, one member here and one line in `repos`.
 */
export interface Repos {
  readonly mitigationActions: MitigationActionRepo;
  readonly mitigationTasks: MitigationTaskRepo;
  readonly mitigationPlan: MitigationPlanRepo;
  readonly tags: TagRepo;
  readonly things: ThingRepo;
  readonly thingTypes: ThingTypeRepo;
  readonly thingGroups: ThingGroupRepo;
  readonly thingGroupMembers: ThingGroupMemberRepo;
  readonly certificates: CertificateRepo;
  readonly certificateFacts: CertificateFactsRepo;
  readonly caCertificates: CaCertificateRepo;
  readonly thingPrincipals: ThingPrincipalRepo;
  readonly wardenCas: WardenCaRepo;
  readonly policies: PolicyRepo;
  readonly policyTargets: PolicyTargetRepo;
  readonly logging: LoggingRepo;
  readonly roleAliases: RoleAliasRepo;
  readonly registryLookups: RegistryLookupRepo;
  readonly findings: FindingRepo;
  readonly violations: ViolationRepo;
  readonly detectStates: DetectStateRepo;
  readonly detectMl: DetectMlRepo;
  readonly detectCloud: DetectCloudRepo;
  readonly detectRetained: DetectRetainedRepo;
  readonly outbox: OutboxRepo;
  readonly iamRoles: IamRoleRepo;
  readonly connectionEvents: ConnectionEventRepo;
  readonly crls: CrlRepo;
  readonly auditConfigurations: AuditConfigurationRepo;
  readonly auditSuppressions: AuditSuppressionRepo;
  readonly scheduledAudits: ScheduledAuditRepo;
  readonly auditTasks: AuditTaskRepo;
  readonly certificateAudit: CertificateAuditRepo;
  readonly policyAudit: PolicyAuditRepo;
  readonly billingGroups: BillingGroupRepo;
  readonly securityProfiles: SecurityProfileRepo;
  readonly dimensions: DimensionRepo;
  readonly customMetrics: CustomMetricRepo;
}

export function repos(db: Driver): Repos {
  return {
    mitigationActions: new MitigationActionRepo(db),
    mitigationTasks: new MitigationTaskRepo(db),
    mitigationPlan: new MitigationPlanRepo(db),
    tags: new TagRepo(db),
    things: new ThingRepo(db),
    thingTypes: new ThingTypeRepo(db),
    thingGroups: new ThingGroupRepo(db),
    thingGroupMembers: new ThingGroupMemberRepo(db),
    certificates: new CertificateRepo(db),
    certificateFacts: new CertificateFactsRepo(db),
    caCertificates: new CaCertificateRepo(db),
    thingPrincipals: new ThingPrincipalRepo(db),
    wardenCas: new WardenCaRepo(db),
    policies: new PolicyRepo(db),
    policyTargets: new PolicyTargetRepo(db),
    logging: new LoggingRepo(db),
    roleAliases: new RoleAliasRepo(db),
    registryLookups: new RegistryLookupRepo(db),
    findings: new FindingRepo(db),
    violations: new ViolationRepo(db),
    detectStates: new DetectStateRepo(db),
    detectMl: new DetectMlRepo(db),
    detectCloud: new DetectCloudRepo(db),
    detectRetained: new DetectRetainedRepo(db),
    outbox: new OutboxRepo(db),
    iamRoles: new IamRoleRepo(db),
    connectionEvents: new ConnectionEventRepo(db),
    crls: new CrlRepo(db),
    auditConfigurations: new AuditConfigurationRepo(db),
    auditSuppressions: new AuditSuppressionRepo(db),
    scheduledAudits: new ScheduledAuditRepo(db),
    auditTasks: new AuditTaskRepo(db),
    certificateAudit: new CertificateAuditRepo(db),
    policyAudit: new PolicyAuditRepo(db),
    billingGroups: new BillingGroupRepo(db),
    securityProfiles: new SecurityProfileRepo(db),
    dimensions: new DimensionRepo(db),
    customMetrics: new CustomMetricRepo(db),
  };
}
