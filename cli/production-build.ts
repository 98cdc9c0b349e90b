/**
 * The command line runs the production build (dist/): its host page is a page of that build.
 * When dist/ is missing, lacks the host page, or is older than the sources, it is built first
 * with Vite's build API, and the command says so on stderr.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

/** Where the host page lands in dist/ (its path under the project root). */
export const HOST_PAGE_PATH = 'src/app/cli-host.html';

/** What goes into the build: a change to any of these makes dist/ stale. */
const BUILD_INPUTS = ['src', 'index.html', 'vite.config.ts', 'build', 'package.json'];

/** The newest modification time under `path` (a file or a folder), ms since the epoch. */
function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path))
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/** Why dist/ must be built before a run, or null when it is current. */
export function findStaleBuildReason(root: string): string | null {
  const hostPage = join(root, 'dist', HOST_PAGE_PATH);
  if (!existsSync(join(root, 'dist', 'index.html'))) return 'dist/ is missing';
  if (!existsSync(hostPage)) return `dist/ has no ${HOST_PAGE_PATH}`;
  const builtAtMs = statSync(hostPage).mtimeMs;
  const changed = BUILD_INPUTS.find((input) => newestMtimeMs(join(root, input)) > builtAtMs);
  return changed ? `${changed} changed since dist/ was built` : null;
}

/** Builds dist/ when it is stale; `note` gets one line saying why (for stderr). */
export async function ensureProductionBuild(
  root: string,
  note: (line: string) => void,
): Promise<void> {
  const reason = findStaleBuildReason(root);
  if (!reason) return;
  note(`Building the app first (vite build), because ${reason}…`);
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
