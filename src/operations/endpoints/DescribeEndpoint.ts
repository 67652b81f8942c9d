import { createHash } from 'node:crypto';
import type { Context } from '../../context/context.js';
import type { DescribeEndpointRequest, DescribeEndpointResponse } from '../../generated/shapes.js';
import { InvalidRequestException } from '../../generated/errors.js';

/**
 * AWS answers one host name per account, region and type: `<prefix>-ats.iot.<region>.amazonaws.com`
 * for iot:Data-ATS, `<prefix>.iot.<region>.amazonaws.com` for the legacy iot:Data (the default),
 * `<prefix>.credentials.iot.<region>.amazonaws.com` and `<prefix>.jobs.iot.<region>.amazonaws.com`.
 * Warden's iot:Data and iot:Data-ATS answer the host of its own MQTT broker (the first
 * --mqtt-host, else localhost; the port is the broker's, 8883 by default, which a host name
 * cannot carry), so a client that asks for its endpoint reaches it. The types Warden does not
 * serve (credentials, jobs), and the data types while the broker is off, answer AWS's form with a
 * prefix stable for the account.
 */
export async function DescribeEndpoint(input: DescribeEndpointRequest, ctx: Context): Promise<DescribeEndpointResponse> {
  const type = input.endpointType ?? 'iot:Data';
  const prefix = accountPrefix(ctx.accountId);
  const local = ctx.dataPlane?.endpoint();
  switch (type) {
    case 'iot:Data':
      return { endpointAddress: local?.host ?? `${prefix}.iot.${ctx.region}.amazonaws.com` };
    case 'iot:Data-ATS':
      return { endpointAddress: local?.host ?? `${prefix}-ats.iot.${ctx.region}.amazonaws.com` };
    case 'iot:CredentialProvider':
      return { endpointAddress: `${prefix}.credentials.iot.${ctx.region}.amazonaws.com` };
    case 'iot:Jobs':
      return { endpointAddress: `${prefix}.jobs.iot.${ctx.region}.amazonaws.com` };
    default:
      throw new InvalidRequestException(`Endpoint type ${type} is not valid: use iot:Data, iot:Data-ATS, iot:CredentialProvider or iot:Jobs.`);
  }
}

/** Fourteen lower-case letters and digits from the account id, as AWS's prefixes look. */
function accountPrefix(accountId: string): string {
  const digest = createHash('sha256').update(`warden-endpoint:${accountId}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...digest.subarray(0, 14)].map((b) => alphabet[b % alphabet.length]).join('');
}
