/** One kernel module variant as assembled: its SIMD flavour, memory kind, WAT and bytes. */
export interface AssembledKernelModule {
  name: 'relaxed' | 'simd128' | 'relaxed-shared' | 'simd128-shared';
  flavour: 'relaxed' | 'simd128';
  isShared: boolean;
  wat: string;
  bytes: Uint8Array;
}

/** Throws when a module binary has a global, start, data or data-count section. */
export declare function assertOwnsNoMemory(bytes: Uint8Array, name: string): void;
/** The four kernel modules and the two feature probes, assembled once per process. */
export declare function assembleKernelModules(): Promise<{
  modules: Record<AssembledKernelModule['name'], AssembledKernelModule>;
  probes: Record<'simd128' | 'relaxed', Uint8Array>;
}>;
