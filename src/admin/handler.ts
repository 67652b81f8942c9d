import type { Context } from '../context/context.js';

/**
 * A Warden endpoint that acts on an account's state: SigV4-signed like an AWS request, scoped
 * to the caller's account and region, JSON in and out. `query` holds the query string.
 */
export type SignedHandler = (input: { body: unknown; query: Map<string, string[]> }, ctx: Context) => Promise<unknown>;
