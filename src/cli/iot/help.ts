// `warden iot help`, `warden iot <command> help` and --generate-cli-skeleton, all from the model.
import type { Shape } from '../../api/model.js';
import { GLOBALS } from './args.js';
import { memberShape, shape, type CliCommand, commandTable } from './model.js';
import type { Json } from './table.js';
import { yamlInputSkeleton } from './yaml-skeleton.js';

function typeLabel(s: Shape, depth = 0): string {
  switch (s.type) {
    case 'list':
      return `list of ${typeLabel(memberShape(s.member!), depth + 1)}`;
    case 'map':
      return `map of ${typeLabel(memberShape(s.key!), depth + 1)} to ${typeLabel(memberShape(s.value!), depth + 1)}`;
    case 'structure':
      return depth > 1 ? 'structure' : `structure {${Object.entries(s.members ?? {}).map(([k, r]) => `${k}${(s.required ?? []).includes(k) ? '*' : ''}: ${typeLabel(memberShape(r), depth + 1)}`).join(', ')}}`;
    default:
      return s.type;
  }
}

function constraints(s: Shape): string {
  const c: string[] = [];
  if (s.enum) c.push(`one of ${s.enum.join(' | ')}`);
  const unit = s.type === 'string' ? ' characters' : s.type === 'list' ? ' items' : '';
  if (s.min !== undefined) c.push(`min ${s.min}${unit}`);
  if (s.max !== undefined) c.push(`max ${s.max}${unit}`);
  if (s.pattern) c.push(`pattern ${s.pattern}`);
  return c.join('; ');
}

function synopsisOf(name: string, s: Shape, required: boolean): string {
  const value = s.type === 'boolean' ? `--${name} | --no-${name}` : `--${name} <${s.type === 'list' ? 'value [value ...]' : 'value'}>`;
  return required ? value : `[${value}]`;
}

export function commandHelp(cmd: CliCommand, outfiles: string[]): string {
  const args = [...cmd.args.values()].filter((a) => !a.undocumented || !cmd.paginator);
  const lines = [`NAME`, `    ${cmd.name}`, '', 'DESCRIPTION', `    Calls the AWS IoT ${cmd.operation.name} operation (${cmd.operation.http.method} ${cmd.operation.http.requestUri}) through @aws-sdk/client-iot.${cmd.paginator ? '\n    Paginated: all pages are fetched and merged unless --no-paginate.' : ''}`, '', 'SYNOPSIS', `    warden iot ${cmd.name}`];
  for (const a of args) lines.push(`        ${synopsisOf(a.name, a.shape, a.required)}`);
  lines.push('        [--cli-input-json <value> | --cli-input-yaml <value>]', '        [--generate-cli-skeleton <value>]');
  if (cmd.paginator) lines.push('        [--starting-token <value>]', '        [--page-size <value>]', '        [--max-items <value>]');
  for (const o of outfiles) lines.push(`        [--${o} <value>]`);
  lines.push('', 'OPTIONS');
  for (const a of args) {
    lines.push(`    --${a.name} (${typeLabel(a.shape)})${a.required ? ' [required]' : ''}`);
    const c = constraints(a.shape);
    if (c) lines.push(`        Constraints: ${c}`);
    if (a.shape.type === 'structure' || a.shape.type === 'map' || (a.shape.type === 'list' && ['structure', 'map', 'list'].includes(memberShape(a.shape.member!).type))) {
      lines.push('        Shorthand syntax or JSON; JSON skeleton:', ...printDoubles(JSON.stringify(skeletonValue(a.shape, [a.shapeName]), null, 2)).split('\n').map((l) => `          ${l}`));
    }
    lines.push('');
  }
  lines.push('    --cli-input-json | --cli-input-yaml (string)', '        The whole input as JSON or YAML (file:// accepted); options on the command line override it.', '');
  lines.push('    --generate-cli-skeleton (string)', '        input (default), yaml-input or output: print a skeleton and exit.', '');
  if (cmd.paginator) lines.push('    --starting-token, --page-size, --max-items (string, integer, integer)', '        Pagination as the AWS CLI does it; --no-paginate makes one request.', '');
  for (const o of outfiles) lines.push(`    --${o} (string)`, '        Saves that part of the response to a file (mode 0600).', '');
  lines.push(globalHelp());
  return `${lines.join('\n')}\n`;
}

export function globalHelp(): string {
  return ['GLOBAL OPTIONS', ...Object.entries(GLOBALS).map(([k, g]) => `    --${k}${g.kind === 'value' ? ` <${g.choices ? g.choices.join('|') : 'value'}>` : ''}  ${g.help}`)].join('\n');
}

export function serviceHelp(): string {
  const names = [...commandTable().keys()].sort();
  return `Usage: warden iot <command> [parameters]   (the AWS CLI's "aws iot", against Warden)\n\nCommands (${names.length}; operations Warden does not implement answer NotImplementedException):\n${names.map((n) => `    ${n}`).join('\n')}\n    wait audit-mitigation-task | detect-mitigation-task | audit-task <task-id>\n\n${globalHelp()}\n`;
}

/**
 * Python prints a float zero as 0.0, JavaScript as 0: a marker string stands for it until printing. Three
 * characters wide like 0.0 (tables keep their widths), private-use ones that no output escapes or quotes.
 */
const DOUBLE_ZERO = '\ue000.\ue000';
export const printDoubles = (text: string): string => text.replace(/"\ue000\.\ue000"|'\ue000\.\ue000'|\ue000\.\ue000/g, '0.0');

/** botocore's ArgumentGenerator. */
function skeletonValue(s: Shape, stack: string[], memberNames = false, name = ''): unknown {
  switch (s.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      if (stack.filter((x) => x === stack[stack.length - 1]).length > 1) return out;
      for (const [k, r] of Object.entries(s.members ?? {})) out[k] = skeletonValue(memberShape(r), [...stack, r.shape], memberNames, k);
      return out;
    }
    case 'list':
      return [skeletonValue(memberShape(s.member!), [...stack, s.member!.shape], memberNames, memberNames ? s.member!.shape : '')];
    case 'map':
      return { KeyName: skeletonValue(memberShape(s.value!), [...stack, s.value!.shape], memberNames) };
    case 'string':
      return memberNames ? name : s.enum ? s.enum[0] : '';
    case 'integer':
    case 'long':
      return 0;
    case 'double':
    case 'float':
      return DOUBLE_ZERO;
    case 'boolean':
      return true;
    case 'timestamp':
      return '1970-01-01T00:00:00';
    default:
      return null;
  }
}

/**
 * What `--generate-cli-skeleton output` answers in place of the service (botocore's ArgumentGenerator with
 * member names, given to a Stubber): `shown` with float zeros as the marker printDoubles replaces, `checked`
 * with them as numbers, for the Stubber's validation of a response against the output shape.
 */
export function outputSkeleton(cmd: CliCommand): { shown: Json; checked: unknown } {
  const out = cmd.operation.output;
  const json = JSON.stringify(out ? skeletonValue(shape(out.shape), [out.shape], true) : {});
  return {
    shown: JSON.parse(json.replaceAll(JSON.stringify(EPOCH), JSON.stringify(EPOCH_MARK))) as Json,
    checked: JSON.parse(json.replaceAll(JSON.stringify(DOUBLE_ZERO), '0')),
  };
}

/**
 * The skeleton's timestamps are a naive datetime(1970, 1, 1) to the AWS CLI: isoformat() in json
 * (1970-01-01T00:00:00), str() in text and table, ruamel's datetime in yaml (both 1970-01-01 00:00:00).
 * A marker as wide stands for the separator until printing.
 */
const EPOCH = '1970-01-01T00:00:00';
const EPOCH_MARK = '1970-01-01\ue00100:00:00';

/** An output skeleton as printed with --output `output`: float zeros as 0.0, timestamps as the AWS CLI writes a datetime. */
export const printOutputSkeleton = (text: string, output: string): string => printDoubles(text).replaceAll('\ue001', output === 'json' ? 'T' : ' ');

export function skeleton(cmd: CliCommand, kind: string): string {
  if (kind === 'yaml-input') return yamlInputSkeleton(cmd);
  const io = kind === 'output' ? cmd.operation.output : cmd.operation.input;
  const value = io ? skeletonValue(shape(io.shape), [io.shape], kind === 'output') : {};
  if (kind === 'output' && typeof value === 'object' && value && !Object.keys(value).length) return '';
  return `${printDoubles(JSON.stringify(value, null, 4))}\n`;
}
