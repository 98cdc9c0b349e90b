/**
 * The parts of tfjs-backend-wasm 4.22's BackendWasm that our own kernels use to work in place
 * on its heap: tensor offsets, output allocation and emscripten's malloc/free. Internals,
 * which is why the tfjs packages are pinned to exact versions; reached by duck typing on
 * `tf.backend()`, so only wasm.ts imports the package itself.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeapAllocator } from './conv3x3-passes';

/** Emscripten's Module object of the backend (`backend.wasm`). */
interface EmscriptenModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** Single-thread binaries: the instance's exports, including the memory it exports. */
  asm?: { memory?: unknown };
  /** Threaded binary: the shared memory emscripten creates in JS and imports. */
  wasmMemory?: unknown;
}

export interface WasmBackendInternals {
  wasm: EmscriptenModule;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  /** Allocates on the heap and registers a tensor for the output of a kernel. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

export function isWasmBackendInternals(backend: unknown): backend is WasmBackendInternals {
  const b = backend as Partial<WasmBackendInternals> | null;
  return (
    typeof b?.makeOutput === 'function' &&
    typeof b.dataIdMap?.get === 'function' &&
    typeof b.wasm?._malloc === 'function' &&
    typeof b.wasm._free === 'function'
  );
}

/**
 * The backend's heap: the memory the single-thread binaries export (`Module.asm.memory`), or
 * the shared one of the threaded binary (`Module.wasmMemory`). Null when neither is there.
 */
export function heapMemoryOf(backend: WasmBackendInternals): WebAssembly.Memory | null {
  const { asm, wasmMemory } = backend.wasm;
  if (asm?.memory instanceof WebAssembly.Memory) return asm.memory;
  if (wasmMemory instanceof WebAssembly.Memory) return wasmMemory;
  return null;
}

/** Whether `memory` is a shared one (the threaded binary's). */
export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** Byte offset of a tensor's data on the heap. */
export function heapOffsetOf(backend: WasmBackendInternals, tensor: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(tensor.dataId);
  if (data === undefined) throw new Error('wasm heap: tensor is not on the wasm backend');
  return data.memoryOffset;
}

/** Emscripten's malloc/free on the heap, as the kernels' allocator. */
export function heapAllocatorOf(
  backend: WasmBackendInternals,
  memory: WebAssembly.Memory,
): HeapAllocator {
  return {
    memory,
    allocate(bytes) {
      const pointer = backend.wasm._malloc(bytes) >>> 0;
      if (pointer === 0) throw new Error(`wasm heap: could not allocate ${bytes} bytes`);
      return pointer;
    },
    release(pointer) {
      backend.wasm._free(pointer);
    },
  };
}
