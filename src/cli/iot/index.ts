// `warden iot <command> [options]`: the AWS CLI's `aws iot`, generated at run time from the model. Every
// request goes through @aws-sdk/client-iot (`<Operation>Command`), so signing and serialisation are the SDK's.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as sdk from '@aws-sdk/client-iot';
import { compile, TreeInterpreter } from '@jmespath-community/jmespath';
import { parse as parseYaml } from 'yaml';
import { VERSION } from '../../base/version.js';
import { checkRequired, GLOBALS, parseCommand, splitGlobals, UsageError, type Globals } from './args.js';
import { ProfileNotFound, resolve } from './config.js';
import { makeClient } from './client.js';
import { commandHelp, outputSkeleton, printOutputSkeleton, serviceHelp, skeleton } from './help.js';
import { commandTable, shape, type CliCommand } from './model.js';
import { format, formatText, formatYaml, plain } from './output.js';
import type { Json } from './table.js';
import { fullResult, paginate, type Pages } from './paginate.js';
import { buildInput, paramFile, ParamError, toSdk, validate } from './params.js';
import { ConversionError } from './shorthand.js';
import { waitCommand } from './wait.js';

export const EXIT = { ok: 0, usage: 252, config: 253, service: 254, general: 255 } as const;

const USAGE = `usage: warden iot <command> [parameters]\nTo see help text, you can run:\n\n  warden iot help\n  warden iot <command> help\n`;

/** Files that create-keys-and-certificate and create-certificate-from-csr can save (awscli/customizations/iot.py). */
const OUTFILES: Record<string, Record<string, string>> = {
  CreateKeysAndCertificate: { 'certificate-pem-outfile': 'certificatePem', 'public-key-outfile': 'keyPair.PublicKey', 'private-key-outfile': 'keyPair.PrivateKey' },
  CreateCertificateFromCsr: { 'certificate-pem-outfile': 'certificatePem' },
};

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env };

export async function iotMain(argv: string[], io: Io = stdio): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e instanceof ParamError || /^Parameter validation|^Cannot specify|^Bad value/.test(e.message) ? `\n${e.message}\n` : `${USAGE}\nwarden iot: error: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof ProfileNotFound) {
      io.err(`\n${e.message}\n`);
      return EXIT.config;
    }
    if (e instanceof sdk.IoTServiceException || (e as { $metadata?: unknown }).$metadata !== undefined) {
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      io.err(`\nAn error occurred (${err.name}) when calling the ${(e as { operation?: string }).operation} operation: ${err.message || 'Unknown'}\n`);
      return EXIT.service;
    }
    const code = (e as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || (e as Error).name === 'TimeoutError') {
      io.err(`\nCould not connect to the endpoint URL: "${(e as { url?: string }).url ?? ''}"\n`);
      return EXIT.general;
    }
    io.err(`\n${(e as Error).message}\n`);
    return EXIT.general;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const { globals, rest } = splitGlobals(argv);
  if (globals.version) {
    io.out(`warden/${VERSION} iot (aws-cli v2 compatible) Node/${process.versions.node} ${process.platform}/${process.arch}\n`);
    return EXIT.ok;
  }
  const [name, ...args] = rest;
  if (name === undefined || name === 'help') {
    io.out(serviceHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === 'wait') return waitCommand(args, globals, io);
  const cmd = commandTable().get(name);
  if (!cmd) throw new UsageError(`argument operation: Invalid choice '${name}'; see 'warden iot help' for the list of commands`);
  const outfiles = OUTFILES[cmd.operation.name] ?? {};
  const parsed = parseCommand(cmd, args, Object.keys(outfiles));
  if (parsed.help) {
    io.out(commandHelp(cmd, Object.keys(outfiles)));
    return EXIT.ok;
  }
  const skel = parsed.extra['generate-cli-skeleton'];
  // Before any skeleton: `--generate-cli-skeleton=input` (one word) leaves the options required, as in awscli.
  checkRequired(cmd, parsed);
  if (skel !== undefined && skel !== 'output') {
    io.out(skeleton(cmd, skel));
    return EXIT.ok;
  }
  const input = buildInput(cmd, parsed, cliInput(parsed.extra));
  const paging = pagingOptions(cmd, parsed.extra, input, globals);
  const inputShape = cmd.operation.input ? shape(cmd.operation.input.shape) : { type: 'structure' as const, members: {} };
  // botocore's generate_idempotent_uuid, before its parameter validation.
  for (const [member, ref] of Object.entries(inputShape.members ?? {})) if (ref.idempotencyToken && !(member in input)) input[member] = randomUUID();
  const errors: string[] = [];
  validate(inputShape, input, '', errors);
  if (errors.length) throw new UsageError(`Parameter validation failed:\n${errors.join('\n')}`);

  const conf = resolve({ profile: globals.profile as string | undefined, region: globals.region as string | undefined, output: globals.output as string | undefined, endpointUrl: globals['endpoint-url'] as string | undefined, caBundle: globals['ca-bundle'] as string | undefined }, io.env);
  const query = globals.query === undefined ? undefined : compileQuery(globals.query as string);
  const output = conf.output;
  const color = globals.color === 'on' || ((globals.color ?? 'auto') === 'auto' && !!process.stdout.isTTY);
  const fmt = { output, title: cmd.operation.name, color, query };
  if (skel === 'output') {
    // awscli's StubbedCLIOperationCaller: the command as given (required options, validation), answered
    // by a Stubber with the skeleton, which it validates against the output shape, printed as any answer.
    const { shown, checked } = outputSkeleton(cmd);
    if (cmd.operation.output) validate(shape(cmd.operation.output.shape), checked, '', errors);
    if (errors.length) throw new UsageError(`Parameter validation failed:\n${errors.join('\n')}`);
    io.out(printOutputSkeleton(format(shown, fmt), output));
    return EXIT.ok;
  }
  const client = makeClient(conf, globals, io);
  const Command = (sdk as unknown as Record<string, new (input: unknown) => sdk.IoTClient extends { send(c: infer C): unknown } ? C : never>)[`${cmd.operation.name}Command`];
  if (!Command) throw new Error(`@aws-sdk/client-iot has no ${cmd.operation.name}Command`);
  const rawBlobs = (globals['cli-binary-format'] ?? 'base64') === 'raw-in-base64-out';
  const send = async (i: Record<string, unknown>): Promise<{ [k: string]: Json }> => {
    try {
      return plain(await client.send(new Command(toSdk(inputShape, i, rawBlobs)) as never)) as { [k: string]: Json };
    } catch (e) {
      if (e && typeof e === 'object') Object.assign(e, { operation: cmd.operation.name, url: conf.endpoint });
      throw e;
    }
  };

  let whole: { [k: string]: Json };
  if (paging) {
    const pages = await paginate(send, input, cmd.paginator!, paging);
    whole = fullResult(pages);
    if (output === 'text' || output === 'yaml-stream') io.out(streamPages(pages, output, query));
    else io.out(format(whole, fmt));
  } else {
    whole = await send(input);
    io.out(format(whole, fmt));
  }
  for (const [opt, path] of Object.entries(outfiles)) {
    const file = parsed.extra[opt];
    if (file !== undefined) writeFileSync(file, String(TreeInterpreter.search(compile(path), whole as never) ?? ''), { mode: 0o600 });
  }
  return EXIT.ok;
}

function compileQuery(expr: string): (v: Json) => Json {
  try {
    const ast = compile(legacyLiterals(expr));
    return (v) => TreeInterpreter.search(ast, v as never) as Json;
  } catch (e) {
    throw new UsageError(`Bad value for --query ${expr}: ${(e as Error).message}`);
  }
}

/** Python jmespath reads a backtick literal that is not JSON (`page`) as a string, as older JMESPath did. */
function legacyLiterals(expr: string): string {
  return expr.replace(/'(?:\\.|[^'\\])*'|`((?:\\`|[^`])*)`/g, (m, lit: string | undefined) => {
    if (lit === undefined) return m;
    try {
      JSON.parse(lit.replaceAll('\\`', '`'));
      return m;
    } catch {
      return `\`${JSON.stringify(lit.replaceAll('\\`', '`').trimStart())}\``;
    }
  });
}

/** The text formatter prints page by page (query applied to each page), then NEXTTOKEN; yaml-stream one document per page. */
function streamPages(p: Pages, output: string, query?: (v: Json) => Json): string {
  let out = '';
  p.pages.forEach((page, i) => {
    if (output === 'yaml-stream') {
      const v = query ? query(page) : page;
      out += formatYaml([v]);
      return;
    }
    const current: { [k: string]: Json } = i === 0 ? { ...p.nonAggregate } : {};
    for (const k of p.resultKeys) current[k] = page[k] ?? null;
    out += formatText(query ? query(current) : current);
  });
  if (output === 'text' && p.resumeToken !== undefined) {
    const v = { NextToken: { NextToken: p.resumeToken } };
    out += formatText(query ? query(v) : v);
  }
  return out;
}

function cliInput(extra: Record<string, string | undefined>): Record<string, unknown> | undefined {
  for (const [opt, parse] of [['cli-input-json', (t: string) => JSON.parse(t) as unknown], ['cli-input-yaml', (t: string) => parseYaml(t) as unknown]] as const) {
    const v = extra[opt];
    if (v === undefined) continue;
    const text = paramFile(v, `--${opt}`) ?? v;
    let data: unknown;
    try {
      data = parse(String(text));
    } catch (e) {
      throw new ParamError(`--${opt}`, `Invalid ${opt === 'cli-input-json' ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ParamError(`--${opt}`, `Invalid type: expected an object, got ${JSON.stringify(data)}`);
    return data as Record<string, unknown>;
  }
  return undefined;
}

/** Whether to paginate, as awscli/customizations/paginate.py decides. */
function pagingOptions(cmd: CliCommand, extra: Record<string, string | undefined>, input: Record<string, unknown>, globals: Globals) {
  if (!cmd.paginator) return undefined;
  const int = (opt: string) => {
    const v = extra[opt];
    if (v === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(v.trim())) throw new ConversionError(`Error parsing parameter '--${opt}': invalid literal for int() with base 10: '${v}'`);
    return Number(v);
  };
  const o = { startingToken: extra['starting-token'], pageSize: int('page-size'), maxItems: int('max-items') };
  const manual = [cmd.paginator.input_token, cmd.paginator.limit_key ?? []].flat().some((m) => input[m] !== undefined && input[m] !== null);
  if (globals['no-paginate'] || manual) {
    const used = (['starting-token', 'page-size', 'max-items'] as const).filter((k) => extra[k] !== undefined);
    if (used.length) throw new UsageError(`Cannot specify --no-paginate along with pagination arguments: ${used.map((u) => `--${u}`).join(', ')}`);
    return undefined;
  }
  return o;
}

export { GLOBALS };
