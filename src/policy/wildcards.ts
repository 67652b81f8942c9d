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

/**
 * A pattern with its policy variables already replaced by their values, for one connection:
 * `text` as written, and which of its characters are wildcards (`*` any run, `?` one); a
 * variable's value is literal throughout (its `*` is a star, not a wildcard). Matched without a
 * RegExp, so that a broker's thousands of sessions, each with its own resolved patterns, compile
 * nothing at their first packet.
 */
export interface Glob {
  readonly text: string;
  /** Per character of `text`: 0 literal, STAR, ONE; absent when nothing is a wildcard. */
  readonly wild?: Uint8Array;
  /** Compare case-insensitively (`text` is then lower case). */
  readonly ignoreCase: boolean;
}

export const STAR = 1;
export const ONE = 2;

/** A Glob from pieces: literal strings and wildcard strings (whose `*` and `?` are wildcards). */
export function glob(pieces: readonly { text: string; wildcards: boolean }[], ignoreCase: boolean): Glob {
  let text = '';
  let flags: number[] | undefined;
  for (const p of pieces) {
    const t = ignoreCase ? p.text.toLowerCase() : p.text;
    if (p.wildcards) {
      for (let k = 0; k < t.length; k++) {
        const c = t[k];
        if (c === '*' || c === '?') {
          flags ??= new Array<number>(text.length + k).fill(0);
          flags[text.length + k] = c === '*' ? STAR : ONE;
        } else if (flags) flags[text.length + k] = 0;
      }
    } else if (flags) for (let k = 0; k < t.length; k++) flags[text.length + k] = 0;
    text += t;
  }
  return { text, wild: flags && Uint8Array.from(flags), ignoreCase };
}

/** Whether `s` matches the glob, whole (the classic two-pointer walk, backtracking to the last star). */
export function globMatches(g: Glob, s: string): boolean {
  if (g.ignoreCase) s = s.toLowerCase();
  const p = g.text;
  const wild = g.wild;
  if (!wild) return p === s;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    const w = i < p.length ? wild[i] : -1;
    if (w === ONE || (w === 0 && p.charCodeAt(i) === s.charCodeAt(j))) {
      i++;
      j++;
    } else if (w === STAR) {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && wild[i] === STAR) i++;
  return i === p.length;
}
