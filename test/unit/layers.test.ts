// Habit 13 in DESIGN.md, checked from the source: imports point down the layers. The graph of
// src/ folders (a file at the top of src/ counts as the folder '.') has no cycle, no two source
// files import each other through a chain, and the lowest layers import only what lies below them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { projectRoot } from '../../src/base/paths.js';

const src = join(projectRoot(), 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of each source file, as paths under src/ (type-only imports count too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(src, resolve(dirname(file), m[1]).replace(/\.js$/, '.ts')),
    );
    graph.set(relative(src, file), targets);
  }
  return graph;
}

const folderOf = (file: string): string => (file.includes('/') ? file.split('/')[0] : '.');

/** Strongly connected components with more than one node (Tarjan). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

const graph = importGraph();

describe('layers (DESIGN habit 13)', () => {
  test('the graph of src/ folders has no cycle', () => {
    const edges = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      if (!edges.has(from)) edges.set(from, new Set());
      for (const t of targets) {
        const to = folderOf(t);
        if (to === from) continue;
        edges.get(from)!.add(to);
        why.set(`${from}->${to}`, `${file} imports ${t}`);
      }
    }
    const found = cycles(edges);
    const explain = found.map((c) => c.flatMap((a) => c.filter((b) => why.has(`${a}->${b}`)).map((b) => why.get(`${a}->${b}`))).join('; '));
    assert.deepEqual(explain, []);
  });

  test('no source file reaches itself through its imports', () => {
    const edges = new Map([...graph].map(([f, t]) => [f, new Set(t)]));
    assert.deepEqual(cycles(edges), []);
  });

  test('base imports nothing from src/ outside itself; the store imports only base', () => {
    const wrong = [...graph].flatMap(([file, targets]) => {
      const allowed = folderOf(file) === 'base' ? ['base'] : folderOf(file) === 'store' ? ['base', 'store'] : undefined;
      return allowed ? targets.filter((t) => !allowed.includes(folderOf(t))).map((t) => `${file} imports ${t}`) : [];
    });
    assert.deepEqual(wrong, []);
  });

  test('only src/store speaks SQL: no SQL text, driver, query builder or schema outside it', () => {
    const inner = /store\/(driver|sql|rows|schema\.generated|sqlite|postgres)\.ts$/;
    const wrong = [...graph].flatMap(([file, targets]) => {
      if (folderOf(file) === 'store') return [];
      const found = targets.filter((t) => inner.test(t) && !/driver\.ts$/.test(t)).map((t) => `${file} imports ${t}`);
      const text = readFileSync(join(src, file), 'utf8');
      if (/\bDriver\b/.test(text) && targets.some((t) => t.endsWith('store/driver.ts')) && !/import \{ Database\w*Error[^}]*\} from/.test(text)) found.push(`${file} uses the store's Driver`);
      if (/\b(store|tx|ctx)\.db\b/.test(text)) found.push(`${file} reaches the store's connection`);
      for (const m of text.matchAll(SQL_TEXT)) found.push(`${file} holds SQL: ${m[0].slice(0, 60)}`);
      return found;
    });
    assert.deepEqual(wrong, []);
  });

  test('inside src/store, SQL is written by hand only with a "Raw SQL:" comment saying why', () => {
    const exempt = /^store\/(migrations\/|sqlite\.ts|postgres\.ts|driver\.ts)/;
    const wrong = [...graph.keys()].filter((f) => folderOf(f) === 'store' && !exempt.test(f)).flatMap((file) => {
      const lines = readFileSync(join(src, file), 'utf8').split('\n');
      return lines.flatMap((line, i) => {
        if (!SQL_TEXT.test(line) && !/\bsql(<[^>]*>)?`/.test(line)) return [];
        SQL_TEXT.lastIndex = 0;
        const above = lines.slice(Math.max(0, i - 6), i + 1).join('\n');
        return /\/\/ Raw SQL: \S/.test(above) || /\* Raw SQL: \S/.test(above) ? [] : [`${file}:${i + 1} ${line.trim().slice(0, 80)}`];
      });
    });
    assert.deepEqual(wrong, []);
  });
});

/** A string that starts a SQL statement. */
const SQL_TEXT = /['"`]\s*(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|WITH [a-z_]+ AS|CREATE (TABLE|INDEX)|ANALYZE)\b/g;

