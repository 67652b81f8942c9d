// Pagination as botocore's PageIterator does it for the CLI: follow the model's paginator, --page-size sets
// the limit key, --max-items truncates and yields a resume token (base64 of JSON {"<inputToken>": ...,
// "boto_truncate_amount": n}), --starting-token resumes from one; build_full_result merges the pages.
import type { Paginator } from '../../api/model.js';
import { UsageError } from './args.js';
import type { Json } from './table.js';

type Page = { [k: string]: Json };
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface PagingOptions {
  startingToken?: string;
  pageSize?: number;
  maxItems?: number;
}

export interface Pages {
  pages: Page[];
  resumeToken?: string;
  resultKeys: string[];
  nonAggregate: Page;
}

/** botocore's TokenEncoder: Python json.dumps then base64. */
function encodeToken(token: Record<string, unknown>): string {
  const body = Object.entries(token).map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`).join(', ');
  return Buffer.from(`{${body}}`, 'utf8').toString('base64');
}

/** json.dumps with ensure_ascii=True. */
const pyJson = (v: unknown) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function decodeToken(token: string): [Record<string, unknown>, number] {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    const index = typeof parsed.boto_truncate_amount === 'number' ? parsed.boto_truncate_amount : 0;
    delete parsed.boto_truncate_amount;
    return [parsed, index];
  } catch {
    // botocore's deprecated format: tokens joined by "___", the last part an optional truncation amount.
    const parts = token.split('___');
    const last = parts[parts.length - 1];
    const index = /^\d+$/.test(last) && parts.length > 1 ? Number(parts.pop()) : 0;
    return [Object.fromEntries(parts.map((p, i) => [String(i), p === 'None' ? null : p])), index];
  }
}

export async function paginate(send: (input: Record<string, unknown>) => Promise<Page>, input: Record<string, unknown>, p: Paginator, o: PagingOptions): Promise<Pages> {
  const inTokens = list(p.input_token);
  const outTokens = list(p.output_token);
  const resultKeys = list(p.result_key);
  const primary = resultKeys[0];
  const kwargs = { ...input };
  if (o.pageSize !== undefined && p.limit_key) kwargs[p.limit_key] = o.pageSize;
  let starting = 0;
  if (o.startingToken !== undefined) {
    const [tok, index] = decodeToken(o.startingToken);
    starting = index;
    inTokens.forEach((name, i) => {
      const v = name in tok ? tok[name] : tok[String(i)];
      if (v !== null && v !== undefined) kwargs[name] = v;
    });
  }
  const out: Pages = { pages: [], resultKeys, nonAggregate: {} };
  let total = 0;
  let first = true;
  let previous: string | undefined;
  for (;;) {
    const page = await send(kwargs);
    let startingTruncation = 0;
    if (first) {
      if (o.startingToken !== undefined) {
        startingTruncation = starting;
        const all = page[primary];
        if (Array.isArray(all) || typeof all === 'string') page[primary] = all.slice(starting) as Json;
        for (const k of resultKeys.slice(1)) if (Array.isArray(page[k])) page[k] = [];
      }
      for (const k of (p as { non_aggregate_keys?: string[] }).non_aggregate_keys ?? []) if (k in page) out.nonAggregate[k] = page[k];
      first = false;
    }
    const current = Array.isArray(page[primary]) ? (page[primary] as Json[]) : [];
    const nextToken: Record<string, unknown> = Object.fromEntries(inTokens.map((name, i) => [name, page[outTokens[i]] ?? null]));
    if (o.maxItems !== undefined && total + current.length > o.maxItems) {
      const keep = current.length - (total + current.length - o.maxItems);
      page[primary] = current.slice(0, keep);
      const previousToken = Object.fromEntries(inTokens.map((name) => [name, kwargs[name] ?? null]));
      out.resumeToken = encodeToken({ ...previousToken, boto_truncate_amount: keep + startingTruncation });
      out.pages.push(page);
      break;
    }
    out.pages.push(page);
    total += current.length;
    if (Object.values(nextToken).every((t) => t === null)) break;
    if (o.maxItems !== undefined && total === o.maxItems) {
      out.resumeToken = encodeToken(nextToken);
      break;
    }
    const key = JSON.stringify(nextToken);
    if (previous === key) throw new UsageError(`The same next token was received twice: ${key}`);
    previous = key;
    for (const [name, v] of Object.entries(nextToken)) kwargs[name] = v ?? undefined;
  }
  return out;
}

/** PageIterator.build_full_result: result keys merged, then the non-aggregate keys, then NextToken. */
export function fullResult(p: Pages): Page {
  const complete: Page = {};
  for (const page of p.pages) {
    for (const k of p.resultKeys) {
      const v = page[k];
      if (v === undefined || v === null) continue;
      const existing = complete[k];
      if (existing === undefined || existing === null) complete[k] = Array.isArray(v) ? [...v] : v;
      else if (Array.isArray(v) && Array.isArray(existing)) existing.push(...v);
      else if (typeof v === 'number' && typeof existing === 'number') complete[k] = existing + v;
      else if (typeof v === 'string' && typeof existing === 'string') complete[k] = existing + v;
    }
  }
  Object.assign(complete, p.nonAggregate);
  if (p.resumeToken !== undefined) complete.NextToken = p.resumeToken;
  return complete;
}
