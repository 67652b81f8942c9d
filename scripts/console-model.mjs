// The console's forms take their constraints from the AWS model, not from a hand-made copy: this
// walks the inputs of the operations the forms call in model/iot-2015-05-28.json and writes each
// member's required flag, length or size bounds, pattern and enum to web/src/generated/model.json.
// `npm run build:console` runs it before type-checking web/, so the file always follows the model
// (it is build output, not committed).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OPERATIONS = ['CreateMitigationAction', 'UpdateMitigationAction', 'ListMitigationActions', 'CreateScheduledAudit', 'UpdateScheduledAudit', 'DeleteScheduledAudit', 'UpdateAccountAuditConfiguration'];
/** Members that carry no form field (tags have their own page in AWS's console; tokens are the SDK's). */
const SKIP = new Set(['tags', 'nextToken', 'maxResults']);

const model = JSON.parse(readFileSync(join(ROOT, 'model', 'iot-2015-05-28.json'), 'utf8'));

/** A shape's constraints as the server's validation reads them (src/api/validate.ts). */
function constraints(name) {
  const s = model.shapes[name];
  const out = { shape: name, type: s.type };
  for (const k of ['min', 'max', 'pattern', 'enum']) if (s[k] !== undefined) out[k] = s[k];
  return out;
}

/** Member path (as in AWS's validation messages, `a.b`; a list's items are `a.member`, an enum-keyed map's values `a.KEY`) → constraints. */
function walk(shapeName, path, required, into) {
  const s = model.shapes[shapeName];
  if (path) into[path] = { ...constraints(shapeName), ...(required ? { required: true } : {}) };
  if (s.type === 'structure') {
    for (const [m, ref] of Object.entries(s.members ?? {})) {
      if (!path && SKIP.has(m)) continue;
      walk(ref.shape, path ? `${path}.${m}` : m, (s.required ?? []).includes(m), into);
    }
  } else if (s.type === 'list') {
    walk(s.member.shape, `${path}.member`, true, into);
  } else if (s.type === 'map' && model.shapes[s.key.shape].enum) {
    // A map keyed by an enum (the audit's notification targets by type): each key's value, `a.KEY`.
    for (const k of model.shapes[s.key.shape].enum) walk(s.value.shape, `${path}.${k}`, false, into);
  }
}

const operations = {};
for (const op of OPERATIONS) {
  const o = model.operations[op];
  if (!o) throw new Error(`console-model: the model has no operation ${op}`);
  operations[op] = {};
  walk(o.input.shape, '', false, operations[op]);
}

const out = join(ROOT, 'web', 'src', 'generated', 'model.json');
mkdirSync(dirname(out), { recursive: true });
const text = `${JSON.stringify({ source: 'model/iot-2015-05-28.json', apiVersion: model.metadata.apiVersion, operations }, null, 1)}\n`;
let old = '';
try {
  old = readFileSync(out, 'utf8');
} catch {}
if (old !== text) writeFileSync(out, text);
