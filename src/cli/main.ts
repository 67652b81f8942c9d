import { ConfigError, DatabaseOpenError } from '../index.js';
import { VERSION } from '../base/version.js';
import { iotMain } from './iot/index.js';
import { serve, serveHelp } from './serve.js';

const HELP = `Usage: warden <command> [options]

Commands:
  serve        start the Warden server (warden serve --help for its options)
  iot          the AWS CLI's "aws iot" against Warden (warden iot help)
  --version    print the version

Warden speaks the AWS IoT API (2015-05-28) for Device Defender; point any AWS SDK or CLI at it
with --endpoint-url.
`;

/** Argument parsing only; every command calls the library. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'iot':
        return await iotMain(rest);
      case '--version':
      case 'version':
        process.stdout.write(`warden ${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(HELP);
        if (command === undefined) process.stdout.write(`\n${serveHelp()}`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`warden: unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DatabaseOpenError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`warden: ${(e as Error).message}\n`);
      return 1;
    }
    if ((e as { code?: string }).code === 'EADDRINUSE' || (e as { code?: string }).code === 'EACCES') {
      process.stderr.write(`warden: cannot listen: ${(e as Error).message}\n`);
      return 1;
    }
    if (e instanceof Error && /^--port/.test(e.message)) {
      process.stderr.write(`warden: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
