import type { SignedHandler } from './handler.js';

/**
 * GET /_warden/identity: the account and region a signed request acts as (what STS's
 * GetCallerIdentity tells on AWS, which is not an IoT operation). The console shows it after sign-in,
 * and a wrong secret fails here with AWS's signature error before any page loads.
 */
export const getIdentity: SignedHandler = async (_input, ctx) => ({ accountId: ctx.accountId, region: ctx.region });
