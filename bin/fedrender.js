#!/usr/bin/env node
// The executable: hands argv and the process's streams to main() and exits with its code.
// main() never throws; the handler is for an error raised outside it (an event emitter's).
import { internalError, INTERNAL_ERROR, main } from '../dist/src/cli.js';

process.on('uncaughtException', (e) => {
  process.stderr.write(internalError(e, process.env.FEDRENDER_DEBUG === '1'));
  process.exit(INTERNAL_ERROR);
});
const code = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
  tty: process.stdout.isTTY === true,
});
process.exitCode = code;
