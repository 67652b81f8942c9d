// Where the AWS CLI finds credentials, region and output: command-line options, AWS_* environment
// variables, then the profile in ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE,
// AWS_CONFIG_FILE). Warden's defaults when nothing is configured: test/test, us-east-1, the local server.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4580';

export interface Resolved {
  endpoint: string;
  region: string;
  output: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  caBundle?: string;
  /** Where the credentials came from (shown by --debug). */
  credentialSource: string;
}

/** Parses an INI file into sections of key = value (continuation lines and sub-sections are ignored). */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (head) {
      section = out[head[1]] ??= {};
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (kv && section && !/^\s/.test(raw)) section[kv[1]] = kv[2];
  }
  return out;
}

function readIni(path: string): Record<string, Record<string, string>> {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

function expand(p: string): string {
  return p.startsWith('~') ? join(homedir(), p.slice(1)) : p;
}

export class ProfileNotFound extends Error {}

export function resolve(opts: { profile?: string; region?: string; output?: string; endpointUrl?: string; caBundle?: string }, env: NodeJS.ProcessEnv): Resolved {
  const configPath = expand(env.AWS_CONFIG_FILE || '~/.aws/config');
  const credsPath = expand(env.AWS_SHARED_CREDENTIALS_FILE || '~/.aws/credentials');
  const config = readIni(configPath);
  const shared = readIni(credsPath);
  const profileName = opts.profile ?? (env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default');
  const explicit = opts.profile !== undefined || !!env.AWS_PROFILE;
  const profile = (profileName === 'default' ? config.default : config[`profile ${profileName}`]) ?? {};
  const profileCreds = shared[profileName] ?? {};
  if (explicit && profileName !== 'default' && !config[`profile ${profileName}`] && !shared[profileName]) {
    throw new ProfileNotFound(`The config profile (${profileName}) could not be found`);
  }
  const fromEnv = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
    : undefined;
  const pick = (src: Record<string, string>) =>
    src.aws_access_key_id && src.aws_secret_access_key
      ? { accessKeyId: src.aws_access_key_id, secretAccessKey: src.aws_secret_access_key, sessionToken: src.aws_session_token || undefined }
      : undefined;
  // As botocore: an explicitly chosen --profile wins over the environment's keys.
  const chain: [string, ReturnType<typeof pick>][] = opts.profile !== undefined
    ? [['shared-credentials-file', pick(profileCreds)], ['config-file', pick(profile)], ['env', fromEnv]]
    : [['env', fromEnv], ['shared-credentials-file', pick(profileCreds)], ['config-file', pick(profile)]];
  const found = chain.find(([, c]) => c);
  return {
    endpoint: opts.endpointUrl ?? env.AWS_ENDPOINT_URL_IOT ?? env.AWS_ENDPOINT_URL ?? profile.endpoint_url ?? DEFAULT_ENDPOINT,
    region: opts.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || profile.region || 'us-east-1'),
    output: opts.output ?? (env.AWS_DEFAULT_OUTPUT || profile.output || 'json'),
    credentials: found?.[1] ?? { accessKeyId: 'test', secretAccessKey: 'test' },
    caBundle: opts.caBundle ?? (env.AWS_CA_BUNDLE || profile.ca_bundle || undefined),
    credentialSource: found?.[0] ?? 'warden-default',
  };
}
