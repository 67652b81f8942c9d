import type { Scope } from '../base/scope.js';

/** `arn:aws:iot:<region>:<account>:<resource>`, e.g. resource `thing/name` or `cert/<id>`. */
export const iotArn = (scope: Scope, resource: string): string => `arn:aws:iot:${scope.region}:${scope.accountId}:${resource}`;
