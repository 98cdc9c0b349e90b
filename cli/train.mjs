#!/usr/bin/env node
/**
 * `npm run train -- --path DIR --epochs N --batch-size B …` (`--help` lists every flag).
 * Node cannot run TypeScript, so the command (cli/main.ts) runs through Vite's module runner,
 * as the Node benchmarks do; it imports the app's own validator, loader names and file formats.
 */
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const { module } = await runnerImport(fileURLToPath(new URL('./main.ts', import.meta.url)));
const status = await module.runCommandLine(process.argv.slice(2), {
  root,
  // npm runs scripts in the project folder; INIT_CWD is where the command was typed.
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
process.exitCode = status;
