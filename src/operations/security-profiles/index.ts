import type { IotService } from '../../generated/service.js';
import { AttachSecurityProfile } from './AttachSecurityProfile.js';
import { CreateSecurityProfile } from './CreateSecurityProfile.js';
import { DeleteSecurityProfile } from './DeleteSecurityProfile.js';
import { DescribeSecurityProfile } from './DescribeSecurityProfile.js';
import { DetachSecurityProfile } from './DetachSecurityProfile.js';
import { GetBehaviorModelTrainingSummaries } from './GetBehaviorModelTrainingSummaries.js';
import { ListMetricValues } from './ListMetricValues.js';
import { ListSecurityProfiles } from './ListSecurityProfiles.js';
import { ListSecurityProfilesForTarget } from './ListSecurityProfilesForTarget.js';
import { ListTargetsForSecurityProfile } from './ListTargetsForSecurityProfile.js';
import { UpdateSecurityProfile } from './UpdateSecurityProfile.js';
import { ValidateSecurityProfileBehaviors } from './ValidateSecurityProfileBehaviors.js';

/** The security profiles family: Device Defender Detect's profiles, their behaviors and their targets, and the metric values they retain. */
export const securityProfilesOperations: Partial<IotService> = {
  CreateSecurityProfile,
  DescribeSecurityProfile,
  ListSecurityProfiles,
  UpdateSecurityProfile,
  DeleteSecurityProfile,
  ValidateSecurityProfileBehaviors,
  AttachSecurityProfile,
  DetachSecurityProfile,
  ListTargetsForSecurityProfile,
  ListSecurityProfilesForTarget,
  GetBehaviorModelTrainingSummaries,
  ListMetricValues,
};
