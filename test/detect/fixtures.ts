// Shared by the detect tests: ARNs, alert targets, export configuration and two valid behaviors.
import type { Behavior } from '@aws-sdk/client-iot';

export const ACCOUNT = '000000000000';
export const profileArn = (name: string, region = 'us-east-1') => `arn:aws:iot:${region}:${ACCOUNT}:securityprofile/${name}`;
export const groupArn = (name: string, region = 'us-east-1') => `arn:aws:iot:${region}:${ACCOUNT}:thinggroup/${name}`;
export const allArn = (which: 'things' | 'registered-things' | 'unregistered-things', region = 'us-east-1') => `arn:aws:iot:${region}:${ACCOUNT}:all/${which}`;
export const SNS = { SNS: { alertTargetArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`, roleArn: `arn:aws:iam::${ACCOUNT}:role/alerts` } };
export const EXPORT = { mqttTopic: '$aws/sitewise/export', roleArn: `arn:aws:iam::${ACCOUNT}:role/export` };
export const bytesOut: Behavior = { name: 'bytes-out', metric: 'aws:all-bytes-out', criteria: { comparisonOperator: 'greater-than', value: { count: 4096 }, durationSeconds: 300 } };
export const authFailures: Behavior = {
  name: 'auth',
  metric: 'aws:num-authorization-failures',
  criteria: { comparisonOperator: 'greater-than', value: { count: 10 }, durationSeconds: 300, consecutiveDatapointsToAlarm: 2 },
};
