// The one-line summary of a member's documentation that the AWS CLI v2 puts in yaml-input skeleton
// comments: the model's HTML reduced to its text, cut at the first '.' or ':', line breaks made spaces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemberRef } from '../../api/model.js';
import { projectRoot } from '../../base/paths.js';
import { shape } from './model.js';

/** Our vendored model carries no documentation; model/iot-docs.json (scripts/skeleton-docs.mjs) has it per member. */
let overlay: Record<string, Record<string, string>> | undefined;

function overlayDoc(struct: string, member: string): string | undefined {
  overlay ??= (JSON.parse(readFileSync(join(projectRoot(), 'model', 'iot-docs.json'), 'utf8')) as { members: Record<string, Record<string, string>> }).members;
  return overlay[struct]?.[member];
}

type Documented = { documentation?: string };

/**
 * What botocore resolves as a member's documentation: the member reference's own, else its target shape's.
 * The model wins when it has the text (a model vendored with documentation needs no overlay).
 */
export function memberDocumentation(struct: string, member: string, ref: MemberRef): string {
  const own = (ref as Documented).documentation;
  if (own !== undefined) return own;
  const target = (shape(ref.shape) as Documented).documentation;
  if (target !== undefined) return target;
  return overlayDoc(struct, member) ?? '';
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = String.raw`[\p{L}_:][\p{L}\p{N}._:\-\u00B7]*`;
const START_TAG = new RegExp(String.raw`^<(${NAME})((?:\s+${NAME}\s*=\s*(?:"[^<"]*"|'[^<']*'))*)\s*(/?)>`, 'u');
const END_TAG = new RegExp(String.raw`^</(${NAME})\s*>`, 'u');
const ATTR_NAME = new RegExp(String.raw`(${NAME})\s*=`, 'gu');
const REFERENCE = new RegExp(String.raw`^&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(${NAME}));`, 'u');

class Malformed extends Error {}

/** Decodes one `&...;` at the start of `s`; a reference XML does not define makes the text malformed. */
function reference(s: string): { text: string; length: number } {
  const m = REFERENCE.exec(s);
  if (!m) throw new Malformed();
  let text: string;
  if (m[3] !== undefined) {
    text = PREDEFINED[m[3]] ?? '';
    if (!text) throw new Malformed();
  } else {
    const code = m[1] !== undefined ? Number.parseInt(m[1], 10) : Number.parseInt(m[2], 16);
    const ok = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!ok) throw new Malformed();
    text = String.fromCodePoint(code);
  }
  return { text, length: m[0].length };
}

/**
 * The character data of `doc` read as the content of one XML element, as the AWS CLI gets it from
 * xml.dom.minidom: text and references kept, tags, comments, CDATA sections and processing
 * instructions dropped, line ends normalised. Text that is not well-formed XML is returned unchanged.
 */
export function stripXml(doc: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let i = 0;
  try {
    while (i < doc.length) {
      const rest = doc.slice(i);
      if (rest.startsWith('<!--')) {
        const end = doc.indexOf('-->', i + 4);
        if (end < 0 || doc.slice(i + 4, end).includes('--') || doc[end - 1] === '-') throw new Malformed();
        i = end + 3;
      } else if (rest.startsWith('<![CDATA[')) {
        const end = doc.indexOf(']]>', i + 9);
        if (end < 0) throw new Malformed();
        i = end + 3;
      } else if (rest.startsWith('<?')) {
        const end = doc.indexOf('?>', i + 2);
        const target = /^<\?([^\s?]+)/.exec(rest)?.[1] ?? '';
        if (end < 0 || !target || target.toLowerCase() === 'xml') throw new Malformed();
        i = end + 2;
      } else if (rest.startsWith('</')) {
        const m = END_TAG.exec(rest);
        if (!m || open.pop() !== m[1]) throw new Malformed();
        i += m[0].length;
      } else if (rest.startsWith('<')) {
        const m = START_TAG.exec(rest);
        if (!m) throw new Malformed();
        const names = [...m[2].matchAll(ATTR_NAME)].map((a) => a[1]);
        if (new Set(names).size !== names.length) throw new Malformed();
        for (const v of m[2].matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)) {
          const value = v[1] ?? v[2];
          for (let j = value.indexOf('&'); j >= 0; j = value.indexOf('&', j + 1)) reference(value.slice(j));
        }
        if (!m[3]) open.push(m[1]);
        i += m[0].length;
      } else if (rest.startsWith('&')) {
        const r = reference(rest);
        out.push(r.text);
        i += r.length;
      } else {
        const next = rest.search(/[<&]/);
        const text = next < 0 ? rest : rest.slice(0, next);
        if (text.includes(']]>')) throw new Malformed();
        out.push(text.replace(/\r\n?/g, '\n'));
        i += text.length;
      }
    }
    if (open.length) throw new Malformed();
  } catch (e) {
    if (e instanceof Malformed) return doc;
    throw e;
  }
  return out.join('');
}

/** awscli's get_shape_doc_overview: the first sentence (up to the first run of '.' or ':') on one line. */
export function docOverview(documentation: string): string {
  let text = stripXml(documentation);
  const stop = /[.:]+/.exec(text);
  if (stop) text = text.slice(0, stop.index);
  if (text) text += '.';
  return text.replace(/[\n\u2028]/g, ' ');
}
