import { InvalidQueryException } from '../generated/errors.js';

/**
 * AWS IoT fleet-indexing query syntax over the registry fields Warden keeps: `thingName`,
 * `thingId`, `thingTypeName` and `attributes.<name>`. Supported, as AWS documents it: terms and
 * quoted phrases, `field:value`, wildcards `*` and `?`, ranges `[a TO b]` / `{a TO b}` (mixed
 * brackets, `*` for an open end), `field>v` `<` `>=` `<=`, `AND` `OR` `NOT` and `-term`, implicit
 * AND between terms, parentheses, field grouping `thingName:(a* AND -b)`, `\` escapes. Matching is
 * case-insensitive ("Search is case insensitive"); a term with no field matches the thing name,
 * the type name or any attribute value. Ranges compare numerically when both sides are numbers.
 * Fields Warden does not index (shadow, connectivity, thingGroupNames, ...) match nothing.
 * At most 12 terms and one leading-wildcard term per query, as AWS limits.
 */

export interface ThingDoc {
  thingName: string;
  thingId?: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
}

type Bound = { value: string; inclusive: boolean } | undefined;
type Matcher = { kind: 'eq'; value: string } | { kind: 'wild'; re: RegExp } | { kind: 'range'; lo: Bound; hi: Bound };
export type QueryNode =
  | { kind: 'and' | 'or'; items: QueryNode[] }
  | { kind: 'not'; item: QueryNode }
  | { kind: 'term'; field?: string; match: Matcher; leadingWildcard: boolean }
  | { kind: 'all' };

const MAX_TERMS = 12;

type Token = { t: '(' | ')' | '[' | ']' | '{' | '}' } | { t: 'cmp'; op: string } | { t: 'quoted'; value: string } | { t: 'word'; raw: string };

const fail = (query: string, why: string): never => {
  throw new InvalidQueryException(`The query string '${query}' is not valid: ${why}.`);
};

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) i++;
    else if ('()[]{}'.includes(c)) {
      out.push({ t: c as '(' });
      i++;
    } else if (c === '>' || c === '<') {
      const op = q[i + 1] === '=' ? c + '=' : c;
      out.push({ t: 'cmp', op });
      i += op.length;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < q.length && q[i] !== '"') {
        if (q[i] === '\\' && i + 1 < q.length) i++;
        value += q[i++];
      }
      if (i >= q.length) fail(q, 'a quoted phrase is not closed');
      i++;
      out.push({ t: 'quoted', value });
    } else {
      let raw = '';
      while (i < q.length && !/\s/.test(q[i]) && !'()[]{}"<>'.includes(q[i])) {
        if (q[i] === '\\' && i + 1 < q.length) raw += q[i++];
        raw += q[i++];
      }
      out.push({ t: 'word', raw });
    }
  }
  return out;
}

/** Index of the first unescaped `ch` in a raw word, or -1. */
function unescapedIndex(raw: string, ch: string): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === ch) return i;
  }
  return -1;
}

const unescape = (raw: string): string => raw.replace(/\\(.)/gs, '$1');

/** A raw word as a matcher: exact (case-insensitive) unless it holds an unescaped `*` or `?`. */
function wordMatcher(raw: string): { match: Matcher; leadingWildcard: boolean } {
  let source = '';
  let wild = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) source += escapeRe(raw[++i]);
    else if (c === '*' || c === '?') {
      wild = true;
      source += c === '*' ? '.*' : '.';
    } else source += escapeRe(c);
  }
  if (!wild) return { match: { kind: 'eq', value: unescape(raw).toLowerCase() }, leadingWildcard: false };
  return { match: { kind: 'wild', re: new RegExp(`^${source}$`, 'is') }, leadingWildcard: raw !== '*' && (raw[0] === '*' || raw[0] === '?') };
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** How deep parentheses and NOTs may nest in a query (Warden's limit; AWS documents none). */
export const MAX_QUERY_NESTING = 64;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly q: string,
    private readonly tokens: Token[],
  ) {}

  parse(): QueryNode {
    if (this.tokens.length === 0) fail(this.q, 'it is empty');
    const node = this.or(undefined);
    if (this.pos < this.tokens.length) fail(this.q, `unexpected '${this.show(this.tokens[this.pos])}'`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isWord(tok: Token | undefined, w: string): boolean {
    return tok?.t === 'word' && tok.raw === w;
  }

  private show(tok: Token): string {
    return tok.t === 'word' ? tok.raw : tok.t === 'quoted' ? `"${tok.value}"` : tok.t === 'cmp' ? tok.op : tok.t;
  }

  /** One level deeper; past MAX_QUERY_NESTING the query is refused before the recursion can exhaust the stack. */
  private nested(f: () => QueryNode): QueryNode {
    if (++this.depth > MAX_QUERY_NESTING) fail(this.q, `it nests parentheses or NOTs deeper than ${MAX_QUERY_NESTING} levels`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private or(field: string | undefined): QueryNode {
    const items = [this.and(field)];
    while (this.isWord(this.peek(), 'OR')) {
      this.pos++;
      items.push(this.and(field));
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private and(field: string | undefined): QueryNode {
    const items = [this.unary(field)];
    for (;;) {
      const tok = this.peek();
      if (!tok || tok.t === ')' || this.isWord(tok, 'OR')) break;
      if (this.isWord(tok, 'AND')) this.pos++;
      items.push(this.unary(field));
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private unary(field: string | undefined): QueryNode {
    const tok = this.peek();
    if (this.isWord(tok, 'NOT') || this.isWord(tok, '-')) {
      this.pos++;
      return { kind: 'not', item: this.nested(() => this.unary(field)) };
    }
    if (tok?.t === 'word' && tok.raw.length > 1 && tok.raw[0] === '-') {
      this.tokens[this.pos] = { t: 'word', raw: tok.raw.slice(1) };
      return { kind: 'not', item: this.nested(() => this.unary(field)) };
    }
    return this.primary(field);
  }

  private primary(field: string | undefined): QueryNode {
    const tok = this.tokens[this.pos++];
    if (!tok) return fail(this.q, 'it ends where a term was expected');
    if (tok.t === '(') {
      const inner = this.nested(() => this.or(field));
      if (this.tokens[this.pos++]?.t !== ')') fail(this.q, "a '(' is not closed");
      return inner;
    }
    if (tok.t === 'quoted') return { kind: 'term', field, match: { kind: 'eq', value: tok.value.toLowerCase() }, leadingWildcard: false };
    if (tok.t === '[' || tok.t === '{') {
      if (field === undefined) fail(this.q, 'a range needs a field, as in attributes.n:[1 TO 10]');
      return this.range(field as string, tok.t === '[');
    }
    if (tok.t !== 'word' || ['AND', 'OR', 'TO'].includes(tok.raw)) return fail(this.q, `unexpected '${this.show(tok)}'`);
    if (field === undefined) {
      const colon = unescapedIndex(tok.raw, ':');
      if (colon === 0) fail(this.q, `'${tok.raw}' has no field name`);
      if (colon > 0) {
        const name = unescape(tok.raw.slice(0, colon));
        const rest = tok.raw.slice(colon + 1);
        if (rest === '') return this.primary(name);
        return this.term(name, rest);
      }
      const next = this.peek();
      if (next?.t === 'cmp') return this.comparison(unescape(tok.raw), next.op);
      if (tok.raw === '*') return { kind: 'all' };
    }
    return this.term(field, tok.raw);
  }

  private term(field: string | undefined, raw: string): QueryNode {
    return { kind: 'term', field, ...wordMatcher(raw) };
  }

  private value(): string {
    const tok = this.tokens[this.pos++];
    if (tok?.t === 'word' && tok.raw !== 'TO') return unescape(tok.raw);
    if (tok?.t === 'quoted') return tok.value;
    return fail(this.q, 'a range or comparison is missing a value');
  }

  private range(field: string, loInclusive: boolean): QueryNode {
    const lo = this.value();
    if (!this.isWord(this.tokens[this.pos++], 'TO')) fail(this.q, "a range needs 'TO' between its ends");
    const hi = this.value();
    const close = this.tokens[this.pos++];
    if (close?.t !== ']' && close?.t !== '}') fail(this.q, "a range must end with ']' or '}'");
    return {
      kind: 'term',
      field,
      match: { kind: 'range', lo: lo === '*' ? undefined : { value: lo, inclusive: loInclusive }, hi: hi === '*' ? undefined : { value: hi, inclusive: close!.t === ']' } },
      leadingWildcard: false,
    };
  }

  private comparison(field: string, op: string): QueryNode {
    this.pos++;
    const v = { value: this.value(), inclusive: op.endsWith('=') };
    const match: Matcher = op.startsWith('>') ? { kind: 'range', lo: v, hi: undefined } : { kind: 'range', lo: undefined, hi: v };
    return { kind: 'term', field, match, leadingWildcard: false };
  }
}

function leaves(n: QueryNode): QueryNode[] {
  if (n.kind === 'and' || n.kind === 'or') return n.items.flatMap(leaves);
  if (n.kind === 'not') return leaves(n.item);
  return [n];
}

/** Parses a query string; anything AWS would reject answers InvalidQueryException. */
export function parseQuery(query: string): QueryNode {
  const node = new Parser(query, tokenize(query)).parse();
  const terms = leaves(node);
  if (terms.length > MAX_TERMS) fail(query, `it has ${terms.length} terms, more than the ${MAX_TERMS} allowed`);
  const leading = terms.filter((t) => t.kind === 'term' && t.leadingWildcard).length;
  if (leading > 1) fail(query, 'only one term per query may start with a wildcard');
  if (leading === 1 && query.length > 100) fail(query, 'a query with a leading wildcard may be at most 100 characters long');
  return node;
}

const cache = new Map<string, QueryNode>();

/** parseQuery with a small cache, for re-evaluating every dynamic group on each thing write. */
export function compiledQuery(query: string): QueryNode {
  let node = cache.get(query);
  if (!node) {
    node = parseQuery(query);
    if (cache.size > 1000) cache.clear();
    cache.set(query, node);
  }
  return node;
}

const isNumber = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

function compare(a: string, b: string): number {
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function matchValue(m: Matcher, value: string): boolean {
  if (m.kind === 'eq') return value.toLowerCase() === m.value;
  if (m.kind === 'wild') return m.re.test(value);
  if (m.lo) {
    const c = compare(value, m.lo.value);
    if (c < 0 || (c === 0 && !m.lo.inclusive)) return false;
  }
  if (m.hi) {
    const c = compare(value, m.hi.value);
    if (c > 0 || (c === 0 && !m.hi.inclusive)) return false;
  }
  return true;
}

function fieldValues(field: string | undefined, doc: ThingDoc): (string | undefined)[] {
  if (field === undefined) return [doc.thingName, doc.thingTypeName, ...Object.values(doc.attributes)];
  if (field === 'thingName') return [doc.thingName];
  if (field === 'thingId') return [doc.thingId];
  if (field === 'thingTypeName') return [doc.thingTypeName];
  if (field.startsWith('attributes.')) return [doc.attributes[field.slice('attributes.'.length)]];
  return [];
}

export function matches(node: QueryNode, doc: ThingDoc): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return node.items.every((n) => matches(n, doc));
    case 'or':
      return node.items.some((n) => matches(n, doc));
    case 'not':
      return !matches(node.item, doc);
    case 'term':
      return fieldValues(node.field, doc).some((v) => v !== undefined && matchValue(node.match, v));
  }
}
