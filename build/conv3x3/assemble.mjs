/**
 * Assembles the kernel modules from their generated WAT with the `wabt` npm package (libwabt
 * compiled to JavaScript and WebAssembly, shipped inside the package: nothing is downloaded at
 * install or build time). Used by the Vite plugin (../conv3x3-kernels-plugin.mjs) and, through
 * it, by the Node tests, so the browser and the tests run the same bytes.
 */
import wabtInit from 'wabt';
import { FEATURE_PROBES_WAT, KERNEL_VARIANTS, generateKernelModuleWat } from './module.mjs';

/** Proposals the text uses: SIMD, relaxed SIMD, shared memory, memory.fill. */
const WABT_FEATURES = { simd: true, relaxed_simd: true, threads: true, bulk_memory: true };

/**
 * Section ids a kernel module must not have, because each would touch or reserve part of the
 * memory it shares with tfjs: 6 global (a stack pointer would be one), 8 start, 11 data,
 * 12 data count.
 */
const FORBIDDEN_SECTIONS = new Map([
  [6, 'global'],
  [8, 'start'],
  [11, 'data'],
  [12, 'data count'],
]);

/** Throws when the binary has a section in FORBIDDEN_SECTIONS. */
export function assertOwnsNoMemory(bytes, name) {
  let offset = 8; // magic and version
  const readUnsignedLeb128 = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[offset++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (offset < bytes.length) {
    const id = bytes[offset++];
    const size = readUnsignedLeb128();
    if (FORBIDDEN_SECTIONS.has(id)) {
      throw new Error(
        `${name}: has a ${FORBIDDEN_SECTIONS.get(id)} section; a kernel module must not own anything in tfjs's heap`,
      );
    }
    offset += size;
  }
}

function assemble(wabt, name, wat, { validate }) {
  const module = wabt.parseWat(`${name}.wat`, wat, WABT_FEATURES);
  try {
    // wabt.js's validate() rejects every shared memory whatever the features say; a shared
    // variant differs from its validated non-shared twin only in the memory import.
    if (validate) module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

let assembled;

/**
 * The four kernel modules (bytes and WAT text by variant name, see KERNEL_VARIANTS) and the
 * two feature probes (bytes). Assembled once per process, in about a second.
 */
export function assembleKernelModules() {
  assembled ??= (async () => {
    const wabt = await wabtInit();
    const modules = {};
    for (const variant of KERNEL_VARIANTS) {
      const wat = generateKernelModuleWat(variant);
      const bytes = assemble(wabt, variant.name, wat, { validate: !variant.isShared });
      assertOwnsNoMemory(bytes, variant.name);
      modules[variant.name] = { ...variant, wat, bytes };
    }
    const probes = {};
    for (const [name, wat] of Object.entries(FEATURE_PROBES_WAT)) {
      probes[name] = assemble(wabt, `probe-${name}`, wat, { validate: true });
    }
    return { modules, probes };
  })();
  return assembled;
}
