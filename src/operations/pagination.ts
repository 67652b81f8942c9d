import { InvalidRequestException } from '../generated/errors.js';

/**
 * Opaque page tokens: base64url JSON naming the list they belong to and where the next page
 * starts (a keyset, so pages stay stable while other requests insert).
 */
export function encodeToken(list: string, position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ l: list, ...position })).toString('base64url');
}

export function decodeToken<T extends Record<string, unknown>>(list: string, token: string | undefined, member = 'nextToken'): T | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { l?: string } & T;
    if (parsed && typeof parsed === 'object' && parsed.l === list) return parsed;
  } catch {
    /* fall through */
  }
  throw new InvalidRequestException(`The ${member} '${token.slice(0, 64)}' is not valid for this list; pass the token of the previous response unchanged.`);
}
