import type { SignedHandler } from './index.js';

/** Signed Warden endpoints by "METHOD /path"; each handler lives in its own file in this folder. */
export const signedRoutes: Record<string, SignedHandler> = {};
