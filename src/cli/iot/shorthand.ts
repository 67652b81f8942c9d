// A port of the AWS CLI's shorthand syntax (awscli/shorthand.py): `KeyName1=string,string,KeyName2=string`,
// lists in `[...]`, nested `{...}`, single or double quoted strings, `\,` for a literal comma; then the
// model-driven back-compat pass (scalars become lists where the model wants a list; numbers and booleans typed).
import type { Shape } from '../../api/model.js';
import { memberShape } from './model.js';

export class ShorthandError extends Error {}
/** Python's ValueError from int()/float(): the AWS CLI lets it through as a general error (exit 255). */
export class ConversionError extends Error {}

type Value = string | Value[] | { [k: string]: Value };

const ESCAPED_COMMA = '(\\\\,)';
const START_WORD = '\\!\\#-&\\(-\\+\\--\\<\\>-Z\\\\-z\\u007c-\\uffff';
const FIRST_FOLLOW = '\\s\\!\\#-&\\(-\\+\\--\\\\\\^-\\|~-\\uffff';
const SECOND_FOLLOW = '\\s\\!\\#-&\\(-\\+\\--\\<\\>-\\uffff';
const FIRST = { name: 'first', re: new RegExp(`(${ESCAPED_COMMA}|[${START_WORD}])(${ESCAPED_COMMA}|[${FIRST_FOLLOW}])*`, 'y') };
const SECOND = { name: 'second', re: new RegExp(`(${ESCAPED_COMMA}|[${START_WORD}])(${ESCAPED_COMMA}|[${SECOND_FOLLOW}])*`, 'y') };
const SINGLE = { name: 'singled quoted', re: /'(?:\\\\|\\'|[^'])*'/y };
const DOUBLE = { name: 'double quoted', re: /"(?:\\\\|\\"|[^"])*"/y };
const KEY_CHARS = /[A-Za-z0-9\-_.#/:]/;
const WS = /[ \t\n\r\x0b\x0c]/;

export function parseShorthand(input: string): Record<string, Value> {
  let i = 0;
  const eof = () => i >= input.length;
  const cur = () => (i < input.length ? input[i] : undefined);
  const location = () => `${input}\n${' '.repeat(i)}^`;
  const syntax = (expected: string, actual: string) => new ShorthandError(`Expected: '${expected}', received: '${actual}' for input:\n${location()}`);
  const ws = () => {
    while (!eof() && WS.test(input[i])) i++;
  };
  const expect = (ch: string, consumeWs = false) => {
    if (consumeWs) ws();
    if (eof()) throw syntax(ch, 'EOF');
    if (input[i] !== ch) throw syntax(ch, input[i]);
    i++;
    if (consumeWs) ws();
  };
  const match = (r: { name: string; re: RegExp }, must: boolean): string | undefined => {
    r.re.lastIndex = i;
    const m = r.re.exec(input);
    if (!m) {
      if (must) throw syntax(`<${r.name}>`, '<none>');
      return undefined;
    }
    i += m[0].length;
    return m[0];
  };
  const quoted = (r: { name: string; re: RegExp }, q: string) =>
    match(r, true)!.slice(1, -1).replaceAll(`\\${q}`, q).replaceAll('\\\\', '\\');
  const key = () => {
    const start = i;
    while (!eof() && KEY_CHARS.test(input[i])) i++;
    return input.slice(start, i);
  };
  const firstValue = (): string => {
    if (cur() === "'") return quoted(SINGLE, "'");
    if (cur() === '"') return quoted(DOUBLE, '"');
    const v = match(FIRST, false);
    return v === undefined ? '' : v.replaceAll('\\,', ',').trimEnd();
  };
  const secondValue = (): string => {
    if (cur() === "'") return quoted(SINGLE, "'");
    if (cur() === '"') return quoted(DOUBLE, '"');
    return match(SECOND, true)!.replaceAll('\\,', ',').trimEnd();
  };
  const explicitValues = (): Value => (cur() === '[' ? explicitList() : cur() === '{' ? hashLiteral() : firstValue());
  const explicitList = (): Value[] => {
    expect('[', true);
    const values: Value[] = [];
    while (cur() !== ']') {
      if (eof()) throw syntax(']', 'EOF');
      values.push(explicitValues());
      ws();
      if (cur() !== ']') {
        expect(',');
        ws();
      }
    }
    expect(']');
    return values;
  };
  const hashLiteral = (): Record<string, Value> => {
    expect('{', true);
    const out: Record<string, Value> = {};
    while (cur() !== '}') {
      if (eof()) throw syntax('}', 'EOF');
      const k = key();
      expect('=', true);
      const v = explicitValues();
      ws();
      if (cur() !== '}') {
        expect(',');
        ws();
      }
      out[k] = v;
    }
    expect('}');
    return out;
  };
  const csvValue = (): Value => {
    const first = firstValue();
    ws();
    if (eof() || input[i] !== ',') return first;
    expect(',', true);
    const list: string[] = [first];
    for (;;) {
      try {
        const v = secondValue();
        ws();
        if (eof()) {
          list.push(v);
          break;
        }
        expect(',', true);
        list.push(v);
      } catch (e) {
        if (!(e instanceof ShorthandError) || eof()) throw e;
        while (i >= 0 && input[i] !== ',') i--; // backtrack to the comma before the next key
        break;
      }
    }
    return list.length === 1 ? first : list;
  };
  const values = (): Value => (eof() ? '' : cur() === '[' ? explicitList() : cur() === '{' ? hashLiteral() : csvValue());
  const keyval = (): [string, Value] => {
    const k = key();
    expect('=', true);
    return [k, values()];
  };
  const params: Record<string, Value> = {};
  const [k0, v0] = keyval();
  params[k0] = v0;
  while (!eof()) {
    expect(',', true);
    const [k, v] = keyval();
    if (k in params) throw new ShorthandError(`Second instance of key "${k}" encountered for input:\n${location()}\nThis is often because there is a preceding "," instead of a space.`);
    params[k] = v;
  }
  return params;
}

/** The BackCompatVisitor: a scalar where the model has a list becomes a one-element list; numbers and booleans are typed. */
export function backCompat(value: unknown, s: Shape): unknown {
  if (value === undefined || value === null) return value;
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const o = value as Record<string, unknown>;
      for (const [name, ref] of Object.entries(s.members ?? {})) if (name in o) o[name] = backCompat(o[name], memberShape(ref));
      return o;
    }
    case 'list':
      if (!Array.isArray(value)) return [value];
      return value.map((v) => backCompat(v, memberShape(s.member!)));
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const o = value as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = backCompat(o[k], memberShape(s.value!));
      return o;
    }
    case 'integer':
    case 'long':
      return toInt(String(value));
    case 'double':
    case 'float':
      return toFloat(String(value));
    case 'boolean':
      return String(value).toLowerCase() === 'true' ? true : String(value).toLowerCase() === 'false' ? false : value;
    default:
      return value;
  }
}

export function toInt(v: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new ConversionError(`invalid literal for int() with base 10: '${v}'`);
  return Number.parseInt(v, 10);
}

export function toFloat(v: string): number {
  const n = Number(v.trim());
  if (v.trim() === '' || Number.isNaN(n)) throw new ConversionError(`could not convert string to float: '${v}'`);
  return n;
}
