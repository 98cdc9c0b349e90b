/**
 * Vite plugin: builds our 3×3 convolution kernels (build/conv3x3/) and serves them to the app
 * as the virtual module `virtual:conv3x3-kernels`:
 *
 *   KERNEL_MODULE_URLS  URL of each module variant (relaxed, simd128, and their -shared twins)
 *   FEATURE_PROBES      tiny modules' bytes for WebAssembly.validate (SIMD128, relaxed SIMD)
 *
 * The modules are generated and assembled (wabt, from npm) when the virtual module is first
 * loaded, about a second, in `vite dev`, `vite build`, the tests and the benchmarks alike; so
 * a fresh clone needs no extra step and nothing built is committed.
 *
 * - Browser bundles (the app, its workers, the bench pages): the .wasm files are written to
 *   Vite's cache folder and imported with `?url`, so Vite emits them as hashed assets (and
 *   serves them in dev) exactly as it does tfjs-backend-wasm's binaries. Only the variant a
 *   browser needs is ever fetched.
 * - Server-side transforms (Vitest's Node tests, Vite's module runner): the URLs are `data:`
 *   URLs of the same bytes, which Node's fetch reads.
 *
 * Worker bundles do not inherit `plugins`: list this in `worker.plugins` too (vite.config.ts).
 * Plain JavaScript with types beside it (.d.mts), like wasm-threads-plugin.mjs.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assembleKernelModules } from './conv3x3/assemble.mjs';

export const CONV3X3_KERNELS_MODULE_ID = 'virtual:conv3x3-kernels';
const RESOLVED_ID = `\0${CONV3X3_KERNELS_MODULE_ID}`;

/** Writes `bytes` to `path` through a temporary file, so concurrent builds never see half. */
async function writeAtomically(path, bytes) {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

/** The virtual module's source for a browser bundle: `?url` imports of files in `folder`. */
async function browserModuleCode(modules, folder) {
  await mkdir(folder, { recursive: true });
  const imports = [];
  const entries = [];
  for (const [index, [name, { bytes, wat }]] of Object.entries(modules).entries()) {
    const file = join(folder, `conv3x3-${name}.wasm`);
    await writeAtomically(file, bytes);
    // The text beside the binary, for reading what runs; never imported.
    await writeAtomically(join(folder, `conv3x3-${name}.wat`), wat);
    imports.push(`import url${index} from ${JSON.stringify(`${file}?url`)};`);
    entries.push(`${JSON.stringify(name)}: url${index}`);
  }
  return `${imports.join('\n')}\nexport const KERNEL_MODULE_URLS = { ${entries.join(', ')} };\n`;
}

/** The virtual module's source for server-side code: data: URLs of the same bytes. */
function serverModuleCode(modules) {
  const entries = Object.entries(modules).map(
    ([name, { bytes }]) =>
      `${JSON.stringify(name)}: ${JSON.stringify(`data:application/wasm;base64,${Buffer.from(bytes).toString('base64')}`)}`,
  );
  return `export const KERNEL_MODULE_URLS = { ${entries.join(', ')} };\n`;
}

function probesCode(probes) {
  const entries = Object.entries(probes).map(
    ([name, bytes]) => `${JSON.stringify(name)}: new Uint8Array(${JSON.stringify([...bytes])})`,
  );
  return `export const FEATURE_PROBES = { ${entries.join(', ')} };\n`;
}

/** @returns {import('vite').Plugin} */
export function conv3x3KernelsPlugin() {
  /** Where browser builds get the .wasm files from: Vite's cache folder. */
  let folder;
  return {
    name: 'fashion-mnist:conv3x3-kernels',
    configResolved(config) {
      folder = join(config.cacheDir, 'conv3x3-kernels');
    },
    resolveId(id) {
      return id === CONV3X3_KERNELS_MODULE_ID ? RESOLVED_ID : null;
    },
    async load(id, options) {
      if (id !== RESOLVED_ID) return null;
      const { modules, probes } = await assembleKernelModules();
      const isServer = options?.ssr === true || this.environment?.config.consumer === 'server';
      const urls = isServer ? serverModuleCode(modules) : await browserModuleCode(modules, folder);
      return `${urls}${probesCode(probes)}`;
    },
  };
}
