/**
 * Vitest global setup for browser tests: serves the production build (dist/, made by
 * `vite build` before the tests) with `vite preview` on a free local port, with the same
 * COOP/COEP headers as in production.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../support/fixtures';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'index.html'))) {
    throw new Error(
      'dist/ is missing: browser tests run against the production build (vite build).',
    );
  }
  const server = await preview({
    root: PROJECT_ROOT,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  project.provide('baseUrl', `http://127.0.0.1:${address.port}/`);
  return async () => {
    await server.close();
  };
}
