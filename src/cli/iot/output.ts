// Output as the AWS CLI v2 prints it (awscli/formatter.py, text.py): timestamps as ISO 8601 in the local
// zone (Python's isoformat), blobs as base64, json with a 4-space indent, text tab-separated, yaml as
// ruamel's safe dumper, yaml-stream one document per page.
import { Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { pyJson, pyNumber, pyStr } from './python.js';
import { renderTable, type Json } from './table.js';


/** Python's datetime.isoformat() in the local zone: `2026-11-22T03:09:15.431000+00:00`. */
export function isoLocal(d: Date): string {
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${p(local.getUTCFullYear(), 4)}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}T${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}`;
  const ms = local.getUTCMilliseconds();
  const sign = off < 0 ? '-' : '+';
  return `${base}${ms ? `.${p(ms, 3)}000` : ''}${sign}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
}

/** The SDK's output as plain JSON data, without $metadata. */
export function plain(v: unknown): Json {
  if (v instanceof Date) return isoLocal(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '$metadata' && x !== undefined) out[k] = plain(x);
    return out;
  }
  return v as Json;
}

const isEmptyObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

export function formatJson(v: Json): string {
  if (isEmptyObject(v)) return '';
  return `${pyJson(v)}\n`;
}


const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** awscli/text.py. */
export function formatText(v: Json): string {
  const out: string[] = [];
  const write = (s: string) => out.push(s);
  const text = (item: Json, identifier?: string, scalarKeys?: string[]) => {
    if (Array.isArray(item)) list(item, identifier);
    else if (item !== null && typeof item === 'object') dict(item, identifier, scalarKeys);
    else write(`${pyStr(item)}\n`);
  };
  const scalarList = (els: Json[], identifier?: string) => {
    if (identifier !== undefined) for (const e of els) write(`${identifier.toUpperCase()}\t${pyStr(e)}\n`);
    else write(`${els.map((e) => pyStr(e)).join('\t')}\n`);
  };
  const list = (item: Json[], identifier?: string) => {
    if (!item.length) return;
    if (item.some((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) {
      const keys = [...new Set(item.flatMap((e) => (e && typeof e === 'object' && !Array.isArray(e) ? Object.entries(e).filter(([, x]) => isScalar(x)).map(([k]) => k) : [])))].sort();
      for (const e of item) text(e, identifier, keys);
    } else if (item.some(Array.isArray)) {
      const scalars = item.filter(isScalar);
      if (scalars.length) scalarList(scalars, identifier);
      for (const e of item.filter((x) => !isScalar(x))) text(e, identifier);
    } else scalarList(item, identifier);
  };
  const dict = (item: { [k: string]: Json }, identifier?: string, scalarKeys?: string[]) => {
    const scalars: string[] = [];
    const nonScalars: [string, Json][] = [];
    if (scalarKeys === undefined) {
      for (const k of Object.keys(item).sort()) {
        if (isScalar(item[k])) scalars.push(pyStr(item[k]));
        else nonScalars.push([k, item[k]]);
      }
    } else {
      for (const k of scalarKeys) scalars.push(k in item ? pyStr(item[k]) : '');
      for (const k of Object.keys(item).filter((k) => !scalarKeys.includes(k)).sort()) nonScalars.push([k, item[k]]);
    }
    if (scalars.length) {
      if (identifier !== undefined) scalars.unshift(identifier.toUpperCase());
      write(`${scalars.join('\t')}\n`);
    }
    for (const [k, x] of nonScalars) text(x, k);
  };
  text(v);
  return out.join('');
}

/** Strings that YAML 1.1 would read as something else are quoted, as ruamel's safe dumper does. */
const YAML11_SPECIAL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?|=|<<)$/;

function yamlNode(doc: Document, v: Json): unknown {
  if (Array.isArray(v)) {
    const seq = new YAMLSeq();
    for (const e of v) seq.items.push(yamlNode(doc, e));
    if (!v.length) seq.flow = true;
    return seq;
  }
  if (v !== null && typeof v === 'object') {
    const map = new YAMLMap();
    for (const k of Object.keys(v).sort()) map.items.push(doc.createPair(k, yamlNode(doc, v[k])) as never);
    if (!Object.keys(v).length) map.flow = true;
    return map;
  }
  const s = new Scalar(v);
  if (typeof v === 'string' && YAML11_SPECIAL.test(v)) s.type = Scalar.QUOTE_SINGLE;
  return s;
}

/** Numbers as ruamel writes them: a float as repr() does (1e-05, not 0.00001). Only ever stringified. */
const PY_NUMBER_TAG = {
  identify: (v: unknown) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /(?!)/,
  resolve: (s: string) => Number(s),
  stringify: ({ value }: { value: unknown }) => pyNumber(value as number),
};

/** ruamel's safe dump (sorted keys, block style, sequences not indented, 1.1 specials quoted). */
export function formatYaml(v: Json): string {
  if (v === null || typeof v !== 'object') return `${pyJson(v)}\n`;
  const doc = new Document(null, { customTags: (tags) => [PY_NUMBER_TAG, ...tags] });
  doc.contents = yamlNode(doc, v) as never;
  return doc.toString({ indentSeq: false, singleQuote: true, lineWidth: 80, minContentWidth: 0, nullStr: 'null', trueStr: 'true', falseStr: 'false' });
}

export interface FormatOptions {
  output: string;
  /** Operation name: the table's title. */
  title: string;
  color: boolean;
  query?: (v: Json) => Json;
}

/** Formats a whole (already merged) response as --output asks. */
export function format(data: Json, o: FormatOptions): string {
  const v = o.query ? o.query(data) : data;
  switch (o.output) {
    case 'text':
      return formatText(v);
    case 'table':
      return renderTable(o.title, v, o.color);
    case 'yaml':
      return isEmptyObject(v) ? '' : formatYaml(v);
    case 'yaml-stream':
      return isEmptyObject(v) ? '' : formatYaml([v]);
    default:
      return formatJson(v);
  }
}

