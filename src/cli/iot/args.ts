// Argument parsing as the AWS CLI's argparse tables do it: global options anywhere on the line, one option
// per top-level input member (lists take one or more values), `--flag`/`--no-flag` booleans, `--opt=value`.
import type { Shape } from '../../api/model.js';
import type { CliArg, CliCommand } from './model.js';

/** A bad command line or parameter: exit 252 as the AWS CLI does. */
export class UsageError extends Error {}

export interface GlobalSpec {
  /** 'flag' takes no value; 'value' takes one; choices restrict it. */
  kind: 'flag' | 'value';
  choices?: string[];
  int?: boolean;
  help: string;
  /** Accepted for compatibility; it changes nothing here. */
  ignored?: boolean;
}

export const GLOBALS: Record<string, GlobalSpec> = {
  debug: { kind: 'flag', help: 'Turn on debug logging (requests and responses on stderr).' },
  'endpoint-url': { kind: 'value', help: 'The Warden URL (default http://127.0.0.1:4580; also AWS_ENDPOINT_URL_IOT, AWS_ENDPOINT_URL, endpoint_url in the profile).' },
  'no-verify-ssl': { kind: 'flag', help: 'Do not verify TLS certificates of an https endpoint.' },
  'no-paginate': { kind: 'flag', help: 'Disable automatic pagination (one request, its own next token).' },
  output: { kind: 'value', choices: ['json', 'text', 'table', 'yaml', 'yaml-stream'], help: 'The formatting style for command output.' },
  query: { kind: 'value', help: 'A JMESPath query to use in filtering the response data.' },
  profile: { kind: 'value', help: 'Use a specific profile from ~/.aws/credentials and ~/.aws/config.' },
  region: { kind: 'value', help: 'The region to use (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, then us-east-1).' },
  version: { kind: 'flag', help: 'Display the version of this tool.' },
  color: { kind: 'value', choices: ['on', 'off', 'auto'], help: 'Turn on/off color output (tables).' },
  'no-sign-request': { kind: 'flag', help: 'Do not sign requests (Warden will refuse them).' },
  'ca-bundle': { kind: 'value', help: 'The CA certificate bundle to use when verifying TLS certificates.' },
  'cli-read-timeout': { kind: 'value', int: true, help: 'The maximum socket read time in seconds (0: no timeout; default 60).' },
  'cli-connect-timeout': { kind: 'value', int: true, help: 'The maximum socket connect time in seconds (0: no timeout; default 60).' },
  'cli-binary-format': { kind: 'value', choices: ['base64', 'raw-in-base64-out'], help: 'How blob parameters are given (default base64).' },
  'no-cli-pager': { kind: 'flag', ignored: true, help: 'Ignored: warden never pages output.' },
  'cli-auto-prompt': { kind: 'flag', ignored: true, help: 'Ignored: warden has no auto-prompt.' },
  'no-cli-auto-prompt': { kind: 'flag', ignored: true, help: 'Ignored: warden has no auto-prompt.' },
};

export type Globals = Record<string, string | boolean | number | undefined>;

/** Options every command has besides its members. */
export const COMMAND_OPTIONS = ['cli-input-json', 'cli-input-yaml', 'generate-cli-skeleton'];
export const PAGING_OPTIONS = ['starting-token', 'page-size', 'max-items'];

export interface ParsedCommand {
  /** Raw values per member option: a string, a list of strings (nargs +), or a boolean (flags). */
  values: Map<CliArg, string | string[] | boolean>;
  extra: Record<string, string | undefined>;
  help: boolean;
  /**
   * `--cli-input-json`, `--cli-input-yaml` or `--generate-cli-skeleton` (unless followed by `output`) as a word
   * of its own: awscli's OverrideRequiredArgsArgument then makes no option required (`--opt=value` does not).
   */
  overrideRequired: boolean;
}

const looksLikeOption = (t: string) => t.startsWith('-') && t.length > 1 && !/^-\d+(\.\d+)?$/.test(t);

export function isMulti(s: Shape): boolean {
  return s.type === 'list';
}

/** Splits argv into global options and the rest (the command words and their options). */
export function splitGlobals(argv: string[]): { globals: Globals; rest: string[] } {
  const globals: Globals = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--')) {
      rest.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq > 0 ? eq : undefined);
    const spec = GLOBALS[name];
    if (!spec) {
      rest.push(token);
      continue;
    }
    if (spec.kind === 'flag') {
      globals[name] = true;
      continue;
    }
    let value: string | undefined = eq > 0 ? token.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      if (value === undefined || looksLikeOption(value)) throw new UsageError(`argument --${name}: expected one argument`);
      i++;
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`argument --${name}: Invalid choice, valid choices are:\n\n${spec.choices.join(' | ')}`);
    }
    if (spec.int) {
      if (!/^[+-]?\d+$/.test(value)) throw new UsageError(`argument --${name}: invalid int value: '${value}'`);
      globals[name] = Number(value);
    } else globals[name] = value;
  }
  return { globals, rest };
}

/** Parses one command's options from the model's argument table. */
export function parseCommand(cmd: CliCommand, argv: string[], outfiles: string[] = []): ParsedCommand {
  const values = new Map<CliArg, string | string[] | boolean>();
  const extra: Record<string, string | undefined> = {};
  let help = false;
  const unknown: string[] = [];
  const extraNames = [...COMMAND_OPTIONS, ...(cmd.paginator ? PAGING_OPTIONS : []), ...outfiles];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === 'help' && i === 0) {
      help = true;
      continue;
    }
    if (!token.startsWith('--')) {
      unknown.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq > 0 ? eq : undefined);
    const inline = eq > 0 ? token.slice(eq + 1) : undefined;
    const takeOne = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || looksLikeOption(v)) throw new UsageError(`argument --${name}: expected one argument`);
      i++;
      return v;
    };
    if (extraNames.includes(name)) {
      if (name === 'generate-cli-skeleton') {
        const v = inline ?? (argv[i + 1] !== undefined && !looksLikeOption(argv[i + 1]) ? argv[++i] : 'input');
        if (!['input', 'output', 'yaml-input'].includes(v)) {
          throw new UsageError(`argument --generate-cli-skeleton: Invalid choice, valid choices are:\n\ninput | yaml-input | output`);
        }
        extra[name] = v;
      } else extra[name] = takeOne();
      continue;
    }
    const arg = cmd.args.get(name);
    const negated = name.startsWith('no-') ? cmd.args.get(name.slice(3)) : undefined;
    if (arg?.shape.type === 'boolean' || negated?.shape.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`argument --${name}: ignored explicit argument '${inline}'`);
      values.set((arg ?? negated)!, arg !== undefined && arg.shape.type === 'boolean');
      continue;
    }
    if (!arg) {
      unknown.push(token);
      continue;
    }
    if (isMulti(arg.shape)) {
      const list: string[] = inline !== undefined ? [inline] : [];
      while (inline === undefined && argv[i + 1] !== undefined && !looksLikeOption(argv[i + 1])) list.push(argv[++i]);
      if (list.length === 0) throw new UsageError(`argument --${name}: expected at least one argument`);
      values.set(arg, list);
    } else values.set(arg, takeOne());
  }
  if (unknown.length && !help) throw new UsageError(`Unknown options: ${unknown.join(', ')}`);
  const skel = argv.indexOf('--generate-cli-skeleton');
  const overrideRequired = argv.includes('--cli-input-json') || argv.includes('--cli-input-yaml') || (skel >= 0 && argv[skel + 1] !== 'output');
  return { values, extra, help, overrideRequired };
}

/** The argparse check of required options (skipped when --cli-input-json/yaml or an input skeleton is asked for). */
export function checkRequired(cmd: CliCommand, parsed: ParsedCommand): void {
  if (parsed.overrideRequired) return;
  const missing = [...cmd.args.values()].filter((a) => a.required && !parsed.values.has(a)).map((a) => `--${a.name}`);
  if (missing.length) throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
}
