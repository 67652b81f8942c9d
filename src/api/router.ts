import { BoundedMemo } from './memo.js';
import type { OperationModel, ServiceModel } from './model.js';

/**
 * Routes a request to an operation from each operation's method and URI template.
 * Matching runs on the raw (still percent-encoded) path split at '/', so an encoded
 * '/' inside a label never splits it; each label is decoded after it has matched.
 * Literal segments win over labels at the same position.
 */
interface Node {
  literals: Map<string, Node>;
  label?: { name: string; node: Node };
  ops: Map<string, OperationModel>; // by method
}

const newNode = (): Node => ({ literals: new Map(), ops: new Map() });

export interface RouteMatch {
  operation: OperationModel;
  labels: Readonly<Record<string, string>>;
}

export class BadPathEncoding extends Error {}

/** Matches kept per method (raw paths of up to 512 characters). */
const MEMO_LIMIT = 5_000;

export class Router {
  private readonly root = newNode();
  /**
   * A match depends on nothing but the method and the raw path, and clients repeat their paths:
   * one memo per method the model uses (other methods match nothing).
   */
  private readonly memo = new Map<string, BoundedMemo<RouteMatch | undefined>>();

  constructor(model: ServiceModel) {
    for (const op of Object.values(model.operations)) {
      this.add(op);
      if (!this.memo.has(op.http.method)) this.memo.set(op.http.method, new BoundedMemo(MEMO_LIMIT));
    }
  }

  private add(op: OperationModel): void {
    let node = this.root;
    for (const seg of splitPath(op.http.requestUri)) {
      const m = /^\{([^}]+)\}$/.exec(seg);
      if (m) {
        const name = m[1].replace(/\+$/, '');
        if (!node.label) node.label = { name, node: newNode() };
        else if (node.label.name !== name) throw new Error(`label clash at ${op.name}: ${name} vs ${node.label.name}`);
        node = node.label.node;
      } else {
        let next = node.literals.get(seg);
        if (!next) node.literals.set(seg, (next = newNode()));
        node = next;
      }
    }
    if (node.ops.has(op.http.method)) throw new Error(`duplicate route ${op.http.method} ${op.http.requestUri}`);
    node.ops.set(op.http.method, op);
  }

  /**
   * `rawPath` is the path as sent, without the query string. Returns undefined when nothing
   * matches. The match returned may be shared with other requests of the same path: its labels
   * are frozen.
   */
  match(method: string, rawPath: string): RouteMatch | undefined {
    return this.memo.get(method)?.get(rawPath, () => this.find(method, rawPath));
  }

  private find(method: string, rawPath: string): RouteMatch | undefined {
    const segs = splitPath(rawPath);
    const labels: string[] = [];
    const names: string[] = [];
    const found = this.walk(this.root, segs, 0, method, labels, names);
    if (!found) return undefined;
    const out: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) {
      try {
        out[names[i]] = decodeURIComponent(labels[i]);
      } catch {
        throw new BadPathEncoding(`The path segment '${labels[i]}' is not valid percent-encoded UTF-8.`);
      }
    }
    return { operation: found, labels: Object.freeze(out) };
  }

  private walk(node: Node, segs: string[], i: number, method: string, labels: string[], names: string[]): OperationModel | undefined {
    if (i === segs.length) return node.ops.get(method);
    const lit = node.literals.get(segs[i]);
    if (lit) {
      const r = this.walk(lit, segs, i + 1, method, labels, names);
      if (r) return r;
    }
    if (node.label && segs[i] !== '') {
      labels.push(segs[i]);
      names.push(node.label.name);
      const r = this.walk(node.label.node, segs, i + 1, method, labels, names);
      if (r) return r;
      labels.pop();
      names.pop();
    }
    return undefined;
  }
}

function splitPath(path: string): string[] {
  const p = path.startsWith('/') ? path.slice(1) : path;
  if (p === '') return [];
  return p.split('/');
}
