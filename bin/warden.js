#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`warden: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
