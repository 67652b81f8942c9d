/**
 * IAM and IoT policy wildcards, shared by the IoT-policy and IAM-role analyses: `*` is any run of
 * characters, `?` exactly one; action names compare case-insensitively, resources exactly.
 * Compiled patterns are cached (documents repeat the same few patterns).
 */
const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 10_000;

export function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, re);
  }
  return re;
}

/** Whether an Action pattern ("iot:Get*", "*") covers `action` ("iot:GetThingShadow"). */
export const actionMatches = (pattern: string, action: string): boolean => wildcard(pattern, true).test(action);
