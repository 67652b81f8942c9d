// `--output table`: a port of awscli/table.py (MultiTable, Section) and TableFormatter._build_table.
// Width 80 when stdout is not a terminal (the terminal's width otherwise); too wide sections become vertical.
import { pyStr } from './python.js';

/** A JSON value as the CLI prints it. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const textLength = (t: string) => [...t].reduce((n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(c) ? 2 : 1), 0);
/** Python 3's round(): half to even. */
const pyRound = (x: number) => {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};
const cell = (v: Json | undefined) => pyStr(v, (o) => JSON.stringify(o));

class Section {
  title = '';
  headers: string[] = [];
  rows: string[][] = [];
  indent = 0;
  private widths: number[] = [];

  columnWidths(padding = 0, maxWidth?: number): number[] {
    const unscaled = this.widths.map((w) => w + padding);
    if (maxWidth === undefined || !unscaled.length) return unscaled;
    const factor = maxWidth / unscaled.reduce((a, b) => a + b, 0);
    const scaled = unscaled.map((w) => pyRound(factor * w));
    let off = scaled.reduce((a, b) => a + b, 0) - maxWidth;
    while (off !== 0) {
      const order = [...scaled.keys()];
      if (off < 0) order.reverse();
      for (const i of order) {
        if (off > 0) {
          scaled[i]--;
          off--;
        } else {
          scaled[i]++;
          off++;
        }
        if (off === 0) break;
      }
    }
    return scaled;
  }
  totalWidth(padding: number, outer: number): number {
    const total = this.columnWidths().reduce((a, w) => a + w + padding, 0) + 2 + 2 * outer;
    return Math.max(textLength(this.title) + 2 + 2 * outer, total);
  }
  addHeader(h: string[]) {
    this.update(h);
    this.headers = h;
  }
  addRow(row: Json[]) {
    const r = row.map(cell);
    this.rows.push(r);
    this.update(r);
  }
  private update(row: string[]) {
    if (!this.widths.length) this.widths = row.map(textLength);
    else row.forEach((el, i) => (this.widths[i] = Math.max(textLength(el), this.widths[i] ?? 0)));
  }
}

function center(text: string, length: number, left = '|', right = '|'): string {
  const tl = textLength(text);
  const start = Math.floor(length / 2) - Math.floor(tl / 2) - 1;
  const sofar = left.length + start + tl;
  return `${left}${' '.repeat(Math.max(0, start))}${text}${' '.repeat(Math.max(0, length - right.length - sofar))}${right}`;
}

function alignLeft(text: string, length: number, left: string, right: string): string {
  const tl = textLength(text);
  const padding = length - (tl + 2 + left.length + right.length) >= 0 ? 2 : 0;
  const sofar = left.length + padding + tl;
  return `${left}${' '.repeat(padding)}${text}${' '.repeat(Math.max(0, length - sofar - right.length))}${right}`;
}

class MultiTable {
  sections: Section[] = [];
  current?: Section;
  constructor(private width: number, private color: boolean) {}
  newSection(title: string, indent: number) {
    this.current = new Section();
    this.current.title = title;
    this.current.indent = indent;
    this.sections.push(this.current);
  }
  render(): string {
    let max = this.maxWidth();
    if (max > this.width) {
      this.sections = this.sections.map((s) => {
        if (s.rows.length !== 1 || !s.headers.length) return s;
        const n = new Section();
        n.title = s.title;
        n.indent = s.indent;
        s.headers.forEach((h, i) => n.addRow([h, s.rows[0][i]]));
        return n;
      });
      max = this.maxWidth();
    }
    const out = [`${'-'.repeat(max)}\n`];
    for (const s of this.sections) this.renderSection(s, max, out);
    return out.join('');
  }
  private maxWidth() {
    return Math.max(...this.sections.map((s) => s.totalWidth(4, s.indent)));
  }
  private renderSection(s: Section, maxWidth: number, out: string[]) {
    const ind = this.color ? '\x1b[2m\x1b[33m|\x1b[0m' : '|';
    const write = (line: string) => out.push(`${ind.repeat(s.indent)}${line}${ind.repeat(s.indent)}\n`);
    const width = maxWidth - s.indent * 2;
    if (s.title) {
      write(center(s.title, width));
      if (!s.headers.length && !s.rows.length) write(`+${'-'.repeat(width - 2)}+`);
    }
    const widths = s.columnWidths(4, width);
    const lineBreak = () => write(widths.map((w, i) => (i === 0 ? `+${'-'.repeat(w - 2)}+` : `${'-'.repeat(w - 1)}+`)).join(''));
    if (s.headers.length) {
      lineBreak();
      write(s.headers.map((h, i) => center(h, widths[i], i === 0 ? '|' : '', '|')).join(''));
    }
    if (!s.rows.length || !widths.length) return;
    lineBreak();
    for (const row of s.rows) {
      write(
        row
          .map((el, i) => {
            const cell = alignLeft(el, widths[i], i === 0 ? '|' : '', '|');
            return this.color ? cell.replace(el, `\x1b[1m\x1b[34m${el}\x1b[0m`) : cell;
          })
          .join(''),
      );
    }
    lineBreak();
  }
}

const scalar = (v: Json) => v === null || typeof v !== 'object';

function groupKeys(o: { [k: string]: Json }): [string[], string[]] {
  const keys = Object.keys(o);
  return [keys.filter((k) => scalar(o[k])).sort(), keys.filter((k) => !scalar(o[k])).sort()];
}

export function renderTable(title: string, data: Json, color: boolean, width = process.stdout.isTTY ? process.stdout.columns || 80 : 80): string {
  const t = new MultiTable(width, color);
  const build = (title: string | undefined, cur: Json, indent: number): boolean => {
    if (!cur || (Array.isArray(cur) && !cur.length) || (typeof cur === 'object' && !Object.keys(cur).length)) return false;
    if (title !== undefined) t.newSection(title, indent);
    if (Array.isArray(cur)) {
      if (cur[0] !== null && typeof cur[0] === 'object' && !Array.isArray(cur[0])) fromList(cur as { [k: string]: Json }[], indent, title ?? '');
      else
        for (const item of cur) {
          if (scalar(item)) t.current!.addRow([item]);
          else if (Array.isArray(item) && item.every(scalar)) t.current!.addRow(item);
          else build(undefined, item, indent);
        }
    } else if (typeof cur === 'object') fromDict(cur, indent);
    return true;
  };
  const fromDict = (cur: { [k: string]: Json }, indent: number) => {
    const [headers, more] = groupKeys(cur);
    if (headers.length === 1) t.current!.addRow([headers[0], cur[headers[0]]]);
    else if (headers.length) {
      t.current!.addHeader(headers);
      t.current!.addRow(headers.map((k) => cur[k]));
    }
    for (const k of more) build(k, cur[k], indent + 1);
  };
  const fromList = (cur: { [k: string]: Json }[], indent: number, title: string) => {
    const hs = new Set<string>();
    const ms = new Set<string>();
    for (const item of cur) {
      const [h, m] = groupKeys(item);
      h.forEach((k) => hs.add(k));
      m.forEach((k) => ms.add(k));
    }
    const headers = [...hs].sort();
    const more = [...ms].sort();
    t.current!.addHeader(headers);
    cur.forEach((el, i) => {
      if (i > 0 && more.length) {
        t.newSection(title, indent);
        t.current!.addHeader(headers);
      }
      t.current!.addRow(headers.map((h) => (h in el ? el[h] : '')));
      for (const k of more) if (k in el) build(k, el[k], indent + 1);
    });
  };
  if (!build(title, data, 0)) return '';
  return t.render();
}
