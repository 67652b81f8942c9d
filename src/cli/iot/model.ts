import { loadModel, loadPaginators, type MemberRef, type OperationModel, type Paginator, type ServiceModel, type Shape } from '../../api/model.js';

/** botocore's xform_name: `ListCACertificates` → `list-ca-certificates`, `auditCheckToActionsMapping` → `audit-check-to-actions-mapping`. */
export function xformName(name: string, sep = '-'): string {
  if (name.includes(sep)) return name;
  const special = /[A-Z]{2,}s$/.exec(name);
  if (special) name = name.slice(0, -special[0].length) + sep + special[0].toLowerCase();
  const s1 = name.replace(/(.)([A-Z][a-z]+)/g, `$1${sep}$2`);
  return s1.replace(/([a-z0-9])([A-Z])/g, `$1${sep}$2`).toLowerCase();
}

/** One command-line option of a command, derived from one top-level input member. */
export interface CliArg {
  /** `--audit-check-to-actions-mapping` without the dashes. */
  name: string;
  member: string;
  shapeName: string;
  shape: Shape;
  required: boolean;
  /** Paging members the CLI hides once it paginates (still accepted). */
  undocumented?: boolean;
}

export interface CliCommand {
  name: string;
  operation: OperationModel;
  args: Map<string, CliArg>;
  paginator?: Paginator;
}

let commands: Map<string, CliCommand> | undefined;

export function model(): ServiceModel {
  return loadModel();
}

export function shape(name: string): Shape {
  const s = loadModel().shapes[name];
  if (!s) throw new Error(`model has no shape ${name}`);
  return s;
}

export function memberShape(ref: MemberRef): Shape {
  return shape(ref.shape);
}

/** Every operation of the model, named as the AWS CLI names it. */
export function commandTable(): Map<string, CliCommand> {
  if (commands) return commands;
  const m = loadModel();
  const paginators = loadPaginators();
  commands = new Map();
  for (const op of Object.values(m.operations)) {
    const args = new Map<string, CliArg>();
    const paginator = paginators[op.name];
    const pagingMembers = paginator ? [paginator.input_token, paginator.limit_key ?? []].flat() : [];
    if (op.input) {
      const input = shape(op.input.shape);
      for (const [member, ref] of Object.entries(input.members ?? {})) {
        const name = xformName(member);
        args.set(name, {
          name,
          member,
          shapeName: ref.shape,
          shape: shape(ref.shape),
          // An idempotency token is never required on the command line: botocore fills a missing one (a UUID).
          required: (input.required ?? []).includes(member) && !ref.idempotencyToken,
          undocumented: pagingMembers.includes(member),
        });
      }
    }
    commands.set(xformName(op.name), { name: xformName(op.name), operation: op, args, paginator });
  }
  return commands;
}
