import { compileJavaPattern } from '../../src/api/java-pattern.js';
import model from './generated/model.json';

/**
 * The constraints of the inputs the console's forms send, from the AWS model: web/src/generated/model.json
 * is written by scripts/console-model.mjs at each `npm run build:console`. Members are named by their
 * path in AWS's validation messages (`actionParams.enableIoTLoggingParams.logLevel`; a list's items are
 * `….member`).
 */
export interface Constraint {
  shape: string;
  type: string;
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

const OPERATIONS: Record<string, Record<string, Constraint>> = model.operations;

export function member(operation: string, path: string): Constraint {
  const c = OPERATIONS[operation]?.[path];
  if (!c) throw new Error(`The model has no member ${path} in ${operation}'s input.`);
  return c;
}

/** The values an enum member takes, in the model's order. */
export function choices(operation: string, path: string): string[] {
  return member(operation, path).enum ?? [];
}

const patterns = new Map<string, RegExp | null>();

/**
 * What the server would say of `value` for this member, in AWS's wording ("Member must …"), or
 * undefined when the model allows it. An empty optional value is left out of the request, so it passes.
 */
export function violations(operation: string, path: string, value: string): string[] {
  const c = member(operation, path);
  if (value === '') return c.required ? ['Member must not be null'] : [];
  const out: string[] = [];
  if (c.type === 'list') {
    const items = splitList(value);
    if (c.min !== undefined && items.length < c.min) out.push(`Member must have length greater than or equal to ${c.min}`);
    if (c.max !== undefined && items.length > c.max) out.push(`Member must have length less than or equal to ${c.max}`);
    for (const item of items) out.push(...violations(operation, `${path}.member`, item).map((v) => `${item}: ${v}`));
    return out;
  }
  if (c.min !== undefined && value.length < c.min) out.push(`Member must have length greater than or equal to ${c.min}`);
  if (c.max !== undefined && value.length > c.max) out.push(`Member must have length less than or equal to ${c.max}`);
  if (c.enum && !c.enum.includes(value)) out.push(`Member must satisfy enum value set: [${c.enum.join(', ')}]`);
  if (c.pattern) {
    let re = patterns.get(c.pattern);
    if (re === undefined) patterns.set(c.pattern, (re = compileJavaPattern(c.pattern)));
    if (re && !re.test(value)) out.push(`Member must satisfy regular expression pattern: ${c.pattern}`);
  }
  return out;
}

/** A list member typed as comma-separated text. */
export const splitList = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

/** The model's bounds as a short hint for a field's label: "1 to 128 characters, [a-zA-Z0-9_-]+". */
export function hint(operation: string, path: string): string {
  const c = member(operation, path);
  const unit = c.type === 'list' ? 'items' : 'characters';
  const parts: string[] = [];
  if (c.min !== undefined && c.max !== undefined) parts.push(`${c.min} to ${c.max} ${unit}`);
  else if (c.max !== undefined) parts.push(`at most ${c.max} ${unit}`);
  else if (c.min !== undefined) parts.push(`at least ${c.min} ${unit}`);
  if (c.pattern) parts.push(c.pattern);
  const item = c.type === 'list' ? OPERATIONS[operation]?.[`${path}.member`] : undefined;
  if (item) {
    const h = hint(operation, `${path}.member`);
    if (h) parts.push(`each ${h}`);
  }
  return parts.join(', ');
}
