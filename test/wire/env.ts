// Shared by the wire tests: the environment every real AWS client (boto3, AWS CLI) runs with, and the
// one way they run a Python client script.
import assert from 'node:assert/strict';
import { run } from '../harness.js';

/** Fixed credentials and region, and no config or credentials file from the machine. */
const FIXED: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
  // No AWS_MAX_ATTEMPTS here: with it, botocore appends "(reached max retries: 0)" to every
  // error line the CLI prints. The 4xx and 501 errors tested are not retried anyway; the
  // boto3 script turns retries off in its Config.
};

/**
 * FIXED, plus every other inherited AWS_* variable removed (AWS_PROFILE, AWS_SESSION_TOKEN,
 * AWS_ENDPOINT_URL... would change what the client sends). AWS_CA_BUNDLE is kept: it is harmless
 * for plain http and some images need it. child_process.spawn leaves out variables whose value
 * is undefined, which is how `run(..., { env })` from the harness can unset them.
 */
export function clientEnv(): Record<string, string> {
  const env: Record<string, string | undefined> = {};
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_') && k !== 'AWS_CA_BUNDLE') env[k] = undefined;
  return { ...env, ...FIXED } as Record<string, string>;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ACCOUNT = '000000000000';
export const actionArn = (name: string, region = 'us-east-1'): string => `arn:aws:iot:${region}:${ACCOUNT}:mitigationaction/${name}`;

/** Runs a Python client script (a file, or `-` with `input`) that prints one JSON object of observations; answers it. */
export async function pythonScenario(python: string, args: string[], input?: string): Promise<any> {
  const r = await run(python, args, { env: clientEnv(), input, timeoutMs: 120_000 });
  assert.equal(r.code, 0, `the script failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}
