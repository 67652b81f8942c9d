// `--generate-cli-skeleton yaml-input`, byte for byte as the AWS CLI v2 prints it: the input shape's
// members in model order, each structure member followed by a comment ([REQUIRED], the first sentence
// of its documentation, its enum values), laid out the way ruamel.yaml's round-trip dumper does.
import type { Shape } from '../../api/model.js';
import { docOverview, memberDocumentation } from './doc-overview.js';
import { memberShape, shape, type CliCommand } from './model.js';

type Node =
  | { kind: 'scalar'; text: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'map'; entries: Entry[] };

interface Entry {
  key: string;
  value: Node;
  /** The comment as written after the value, leading spaces included. */
  comment?: string;
}

/**
 * ruamel.yaml writes YAML 1.2, where only null/true/false in their three spellings read as another type
 * (OFF, yes, on stay plain). Identifier-like strings (every enum value of the model) follow that rule;
 * anything else is single-quoted, which is always a valid reading of the same string.
 */
function stringScalar(s: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) && !/^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/.test(s);
  return plain ? s : `'${s.replace(/'/g, "''")}'`;
}

function commentFor(required: boolean, documentation: string, s: Shape): string | undefined {
  const parts = required ? ['[REQUIRED]'] : [];
  parts.push(docOverview(documentation));
  if (s.enum?.length) parts.push(`Valid values are: ${s.enum.join(', ')}.`);
  const text = parts.join(' ');
  return text && !/^\s+$/.test(text) ? text : undefined;
}

/**
 * ruamel.yaml places a new end-of-line comment at the column of a neighbour's comment: the key just
 * before it, else the last commented key met, in insertion order, before the first key that sorts at or
 * after the new one. Neighbours' comments sit at column 0, which the emitter turns into one space after
 * the value. With no such neighbour the comment gets a leading space of its own, hence two.
 */
function hasCommentedNeighbour(entries: Entry[], key: string): boolean {
  const previous = entries[entries.length - 1];
  if (previous?.comment !== undefined) return true;
  for (const e of entries) {
    if (e.key >= key) break;
    if (e.comment !== undefined) return true;
  }
  return false;
}

/** botocore's ArgumentGenerator, as the CLI's YAML flavour of it builds the value (stack: shape names). */
function build(name: string, s: Shape, stack: string[]): Node {
  stack = [...stack, name];
  switch (s.type) {
    case 'structure': {
      const entries: Entry[] = [];
      if (stack.filter((x) => x === name).length > 1) return { kind: 'map', entries };
      for (const [member, ref] of Object.entries(s.members ?? {})) {
        const target = memberShape(ref);
        const value = build(ref.shape, target, stack);
        const text = commentFor((s.required ?? []).includes(member), memberDocumentation(name, member, ref), target);
        const comment = text === undefined ? undefined : `${hasCommentedNeighbour(entries, member) ? ' ' : '  '}# ${text}`;
        entries.push({ key: member, value, comment });
      }
      return { kind: 'map', entries };
    }
    case 'list':
      return { kind: 'seq', items: [build(s.member!.shape, memberShape(s.member!), stack)] };
    case 'map':
      // A plain dict in the CLI: no comments on KeyName itself.
      return { kind: 'map', entries: [{ key: 'KeyName', value: build(s.value!.shape, memberShape(s.value!), stack) }] };
    case 'string':
      return { kind: 'scalar', text: stringScalar(s.enum?.[0] ?? '') };
    case 'integer':
    case 'long':
      return { kind: 'scalar', text: '0' };
    case 'float':
    case 'double':
      return { kind: 'scalar', text: '0.0' };
    case 'boolean':
      return { kind: 'scalar', text: 'true' };
    case 'timestamp':
      // A datetime(1970, 1, 1) in the CLI, which ruamel writes with a space between date and time.
      return { kind: 'scalar', text: '1970-01-01 00:00:00' };
    case 'blob':
      return { kind: 'scalar', text: "!!binary ''" };
    default:
      return { kind: 'scalar', text: 'null' };
  }
}

const isEmpty = (n: Node): boolean => (n.kind === 'map' ? !n.entries.length : n.kind === 'seq' ? !n.items.length : false);
const flow = (n: Node): string => (n.kind === 'scalar' ? n.text : n.kind === 'map' ? '{}' : '[]');

/** Block mapping at column `indent`; its first line starts with `first` (spaces, or a sequence's '- '). */
function emitMap(entries: Entry[], indent: number, first: string, out: string[]): void {
  entries.forEach((e, i) => {
    const head = `${i === 0 ? first : ' '.repeat(indent)}${e.key}:`;
    const comment = e.comment ?? '';
    if (isEmpty(e.value) || e.value.kind === 'scalar') {
      out.push(`${head} ${flow(e.value)}${comment}`);
    } else if (e.value.kind === 'map') {
      out.push(head + comment);
      emitMap(e.value.entries, indent + 2, ' '.repeat(indent + 2), out);
    } else {
      // ruamel's default: a sequence under a key is not indented further.
      out.push(head + comment);
      emitSeq(e.value.items, indent, ' '.repeat(indent), out);
    }
  });
}

function emitSeq(items: Node[], indent: number, first: string, out: string[]): void {
  items.forEach((n, i) => {
    const dash = `${i === 0 ? first : ' '.repeat(indent)}- `;
    if (isEmpty(n) || n.kind === 'scalar') out.push(dash + flow(n));
    else if (n.kind === 'map') emitMap(n.entries, indent + 2, dash, out);
    else emitSeq(n.items, indent + 2, dash, out);
  });
}

function emit(root: Node): string {
  if (root.kind !== 'map' || !root.entries.length) return `${flow(root)}\n`;
  const out: string[] = [];
  emitMap(root.entries, 0, '', out);
  return `${out.join('\n')}\n`;
}

export function yamlInputSkeleton(cmd: CliCommand): string {
  const input = cmd.operation.input;
  return emit(input ? build(input.shape, shape(input.shape), []) : { kind: 'map', entries: [] });
}
