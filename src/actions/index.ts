import { addThingsToThingGroup } from './add-things-to-thing-group.js';
import { enableIotLogging } from './enable-iot-logging.js';
import { publishFindingToSns } from './publish-finding-to-sns.js';
import { replaceDefaultPolicyVersion } from './replace-default-policy-version.js';
import type { ActionRegistry } from './types.js';
import { updateCaCertificate } from './update-ca-certificate.js';
import { updateDeviceCertificate } from './update-device-certificate.js';

/**
 * Every mitigation action type's handler; typed against the enum, so a missing type does not
 * compile. `snsDelivery`: Warden has an SNS endpoint and a delivery worker, so PUBLISH_FINDING_TO_SNS
 * leaves its executions in progress until the worker reports back.
 */
export function createActionHandlers(opts: { snsDelivery: boolean }): ActionRegistry {
  return {
    UPDATE_DEVICE_CERTIFICATE: updateDeviceCertificate,
    UPDATE_CA_CERTIFICATE: updateCaCertificate,
    ADD_THINGS_TO_THING_GROUP: addThingsToThingGroup,
    REPLACE_DEFAULT_POLICY_VERSION: replaceDefaultPolicyVersion,
    ENABLE_IOT_LOGGING: enableIotLogging,
    PUBLISH_FINDING_TO_SNS: publishFindingToSns({ delivery: opts.snsDelivery }),
  };
}

/** The handlers of a Warden without an SNS endpoint: published messages wait in the outbox. */
export const actionHandlers: ActionRegistry = createActionHandlers({ snsDelivery: false });
