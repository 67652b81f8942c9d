import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { log } from './procs.js';

/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function, self time per
 * area (project file, npm package, node internals, GC/native) and inclusive time of the
 * project's own functions. Percentages are of the busy (non-idle) time.
 *
 *   node dist/bench/profile-summary.js FILE.cpuprofile [TOP]
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Entry {
  name: string;
  pct: number;
  ms: number;
}
export interface ProfileSummary {
  busyMs: number;
  idlePct: number;
  topSelf: Entry[];
  byArea: Entry[];
  projectInclusive: Entry[];
}

/** `src/api/sigv4.ts`, `pkg @smithy/signature-v4`, `node:internal/…`, or the pseudo-frame name. */
function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 14).split('/');
    return `pkg ${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const dist = /\/dist\/((?:src|bench)\/.*)\.js$/.exec(path);
  if (dist) return `${dist[1]}.ts`;
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/');
  return path;
}

function label(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  const where = area(f.url, f.functionName);
  return where === name ? name : `${where}:${name}${where.startsWith('src/') ? '' : `:${f.lineNumber + 1}`}`;
}

export function summarise(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const a = area(node.callFrame.url, node.callFrame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!area(f.url, f.functionName).startsWith('src/')) continue;
      const k = label(f);
      if (!seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      }
    }
  });
  const rank = (m: Map<string, number>): Entry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, pct: Math.round((1000 * ms) / busy) / 10, ms: Math.round(ms) }));
  return {
    busyMs: Math.round(busy),
    idlePct: Math.round((1000 * idle) / (busy + idle)) / 10,
    topSelf: rank(self),
    byArea: rank(areas),
    projectInclusive: rank(inclusive),
  };
}

/**
 * The profile `node --cpu-prof` wrote into `dir`, copied to `<tmp>/<keptAs>.cpuprofile` (the
 * benchmark's own folder is removed at its end), summarised (top 25) and logged under `label`;
 * undefined when there is none.
 */
export function keepProfile(dir: string, keptAs: string, label: string): (ProfileSummary & { file: string }) | undefined {
  const name = existsSync(dir) ? readdirSync(dir).find((n) => n.endsWith('.cpuprofile')) : undefined;
  if (!name) return undefined;
  const file = join(tmpdir(), `${keptAs}.cpuprofile`);
  cpSync(join(dir, name), file);
  const summary = { file, ...summarise(file, 25) };
  log(`profile of ${label}: ${file}\n${formatSummary(summary)}`);
  return summary;
}

export function formatSummary(s: ProfileSummary): string {
  const table = (title: string, rows: Entry[]): string =>
    `${title}\n${rows.map((r) => `  ${r.pct.toFixed(1).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.name}`).join('\n')}`;
  return [
    `busy ${s.busyMs} ms, idle ${s.idlePct}% of the profile; percentages are of busy time`,
    table('self time by function:', s.topSelf),
    table('self time by area:', s.byArea),
    table('inclusive time of project functions:', s.projectInclusive),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(summarise(file, top ? Number(top) : 15))}\n`);
}
