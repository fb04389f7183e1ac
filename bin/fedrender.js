#!/usr/bin/env node
// The executable: hands argv and the process's streams to main() and exits with its code.
import { main } from '../dist/src/cli.js';

const code = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
  tty: process.stdout.isTTY === true,
});
process.exitCode = code;
