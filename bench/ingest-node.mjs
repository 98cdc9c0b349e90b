// Runs bench/ingest-node.ts through Vite's module runner (Node 20 cannot run TypeScript).
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const entry = fileURLToPath(new URL('./ingest-node.ts', import.meta.url));
const { module } = await runnerImport(entry);
await module.runIngestNodeBench();
