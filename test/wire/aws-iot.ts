// `aws --endpoint-url <server> --output json [--region r] iot ...` through either AWS CLI, as the wire
// tests call it (through test/wire/cli-runner.ts), and the two ways they read the outcome.
import assert from 'node:assert/strict';
import { runCli, type CliResult } from './cli-runner.js';
import { clientEnv } from './env.js';

/** A CLI under test: its command and the exit code of a service error (v1 255, v2 254). */
export interface CliUnderTest {
  cmd: string;
  errorExit: number;
}

export interface AwsIot {
  /** Runs the command line; the server's URL is read at each call (servers start in `before`). */
  aws(args: string[], region?: string): Promise<CliResult>;
  /** A command that must succeed: its JSON output ({} for none). */
  ok(args: string[], region?: string): Promise<any>;
  /** A command that must fail with a modeled error: nothing on stdout, the AWS error line on stderr; answers the message after it. */
  fails(args: string[], code: string, operation: string, region?: string): Promise<string>;
}

export const errorLine = (code: string, operation: string): string => `An error occurred (${code}) when calling the ${operation} operation: `;

export function awsIot(cli: CliUnderTest, url: () => string): AwsIot {
  const aws = (args: string[], region?: string) =>
    runCli(cli.cmd, ['--endpoint-url', url(), '--output', 'json', ...(region ? ['--region', region] : []), 'iot', ...args], { env: clientEnv(), timeoutMs: 60_000 });
  return {
    aws,
    async ok(args, region) {
      const r = await aws(args, region);
      assert.equal(r.code, 0, `aws iot ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    },
    async fails(args, code, operation, region) {
      const r = await aws(args, region);
      assert.equal(r.code, cli.errorExit, `aws iot ${args.join(' ')}: exit code (stderr: ${r.stderr.trim()})`);
      assert.equal(r.stdout, '', 'nothing on stdout');
      const prefix = errorLine(code, operation);
      const at = r.stderr.indexOf(prefix);
      assert.ok(at >= 0, `stderr lacks ${JSON.stringify(prefix)}:\n${r.stderr}`);
      return r.stderr.slice(at + prefix.length).trim();
    },
  };
}
