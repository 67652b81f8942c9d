// Builds model/iot-docs.json: the documentation of every structure member reachable from an operation
// input, which `warden iot <command> --generate-cli-skeleton yaml-input` turns into end-of-line comments.
// The vendored model (model/iot-2015-05-28.json) was stripped of its documentation, so it is taken from
// botocore-layout copies of the same AWS model given on the command line, first one that has the member wins:
//
//   node scripts/skeleton-docs.mjs \
//     aws-cli-2.9.19=/usr/lib/python3/dist-packages/awscli/botocore/data/iot/2015-05-28/service-2.json \
//     botocore-1.43.11=<site-packages>/botocore/data/iot/2015-05-28/service-2.json.gz
//
// The first is the model of the AWS CLI the parity test compares with (its text is what that CLI prints);
// the second, newer, fills in the members our model has and the first lacks. Each argument is label=path.
//
// A member's documentation is what botocore resolves for it: the member reference's own text if it has
// one, else the target shape's. Stored raw (HTML); src/cli/iot/doc-overview.ts does the rest at run time.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const usage = () => {
  console.error('usage: node scripts/skeleton-docs.mjs <label>=<service-2.json[.gz]> [more, in priority order]');
  process.exit(2);
};
const sources = process.argv.slice(2).map((a) => {
  const i = a.indexOf('=');
  if (i <= 0 || i === a.length - 1) usage(); // no '=', no label or no path
  return { label: a.slice(0, i), path: a.slice(i + 1) };
});
if (!sources.length) usage();
// model/ is found from this script's place, whatever the current directory.
const ourModel = new URL('../model/iot-2015-05-28.json', import.meta.url);
const docsFile = new URL('../model/iot-docs.json', import.meta.url);
const read = (p) => JSON.parse((p.endsWith('.gz') ? gunzipSync(readFileSync(p)) : readFileSync(p)).toString('utf8'));
const ours = JSON.parse(readFileSync(ourModel, 'utf8'));
const models = sources.map((s) => read(s.path));

function docOf(m, struct, member) {
  const ref = m.shapes[struct]?.members?.[member];
  if (!ref) return undefined;
  if ('documentation' in ref) return ref.documentation;
  return m.shapes[ref.shape]?.documentation ?? '';
}

const members = {};
const seen = new Set();
function walk(name) {
  if (seen.has(name)) return;
  seen.add(name);
  const s = ours.shapes[name];
  if (s.type === 'structure') {
    for (const [k, ref] of Object.entries(s.members ?? {})) {
      const doc = models.map((m) => docOf(m, name, k)).find((d) => d !== undefined);
      if (doc) (members[name] ??= {})[k] = doc;
      walk(ref.shape);
    }
  } else if (s.type === 'list') walk(s.member.shape);
  else if (s.type === 'map') walk(s.value.shape);
}
for (const op of Object.values(ours.operations)) if (op.input) walk(op.input.shape);

const sorted = Object.fromEntries(Object.keys(members).sort().map((k) => [k, members[k]]));
// One structure per line: small, and diffs stay readable when the sources change.
const body = Object.entries(sorted).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
writeFileSync(docsFile, `{\n "sources": ${JSON.stringify(sources.map((s) => s.label))},\n "members": {\n${body}\n }\n}\n`);
console.log(`model/iot-docs.json: ${Object.values(members).reduce((n, m) => n + Object.keys(m).length, 0)} members`);
