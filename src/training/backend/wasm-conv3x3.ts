/**
 * Our 3×3 convolution kernels registered in tfjs-backend-wasm, in place of (or, for the filter
 * gradient, where there is none) its own: Conv2D, FusedConv2D, Conv2DBackpropInput and
 * Conv2DBackpropFilter on the `wasm` backend. They read and write tensors in place on the
 * backend's heap; uncovered calls (conv3x3-geometry.ts) go to the kernels registered before.
 *
 * The gradient side is conv-gradient.ts: when these kernels cover a Conv2D on wasm, it runs
 * tfjs's stock gradient, whose Conv2DBackpropInput/Filter calls land here.
 *
 * Other backends are untouched: kernels are registered per backend name, and every kernel
 * checks that it runs on the backend instance it was installed for.
 */
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../../shared/errors';
import { compileKernelModule, instantiateKernels, type SimdFlavour } from './conv3x3-kernels';
import { coveredShape, isForwardOurs, type ConvAttrs, type ConvShape } from './conv3x3-geometry';
import { Conv3x3Passes } from './conv3x3-passes';
import {
  MAX_POOL_THREADS,
  createPoolRunner,
  singleThreadRunner,
  type KernelRunner,
} from './conv3x3-pool';
import {
  heapAllocatorOf,
  heapMemoryOf,
  heapOffsetOf,
  isSharedMemory,
  isWasmBackendInternals,
  type WasmBackendInternals,
} from './wasm-heap';

const BACKEND_NAME = 'wasm';
const KERNEL_NAMES = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
] as const;
type KernelName = (typeof KERNEL_NAMES)[number];

/** What runs, as reported in BackendInfo.wasmConvKernels. */
export interface WasmConv3x3Status {
  flavour: SimdFlavour;
  threads: number;
}

interface Installation extends WasmConv3x3Status {
  backend: WasmBackendInternals;
  memory: WebAssembly.Memory;
  passes: Conv3x3Passes;
  runner: KernelRunner;
  /** Why fewer threads run than were asked for, if they do. */
  threadsNote?: string;
}

/** Calls that ran on our kernels and calls handed to the kernels registered before. */
export interface WasmConv3x3Calls {
  forward: number;
  inputGradient: number;
  filterGradient: number;
  fallback: number;
}

let installation: Installation | null = null;
/** The kernels registered before ours (undefined: none, as for Conv2DBackpropFilter). */
const originals = new Map<KernelName, tf.KernelConfig | undefined>();
const ours = new Map<KernelName, tf.KernelConfig>();
const calls: WasmConv3x3Calls = { forward: 0, inputGradient: 0, filterGradient: 0, fallback: 0 };

/** The installation when our kernels run for `backend`, else null (fall back). */
function activeFor(backend: unknown): Installation | null {
  return installation !== null && installation.backend === backend && isInstalled()
    ? installation
    : null;
}

type Float32Inputs = Record<string, tf.TensorInfo | undefined>;

function isFloat32(...tensors: (tf.TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || t.dtype === 'float32');
}

function fallback(
  name: KernelName,
  args: Parameters<tf.KernelFunc>[0],
): tf.TensorInfo | tf.TensorInfo[] {
  calls.fallback += 1;
  const original = originals.get(name);
  if (original === undefined) {
    throw new Error(`${name} on wasm: only 3×3 stride-1 NHWC float32 convolutions are covered`);
  }
  return original.kernelFunc(args);
}

/** The covered shape of a forward call (Conv2D, FusedConv2D) on our kernels, or null. */
function forwardShape(
  active: Installation | null,
  inputs: Float32Inputs,
  attrs: ConvAttrs,
): ConvShape | null {
  const { x, filter } = inputs;
  if (active === null || x === undefined || filter === undefined || !isFloat32(x, filter))
    return null;
  const shape = coveredShape(x.shape, filter.shape, attrs);
  return shape !== null && isForwardOurs(shape) ? shape : null;
}

function conv2dKernel(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const active = activeFor(args.backend);
  const inputs = args.inputs as Float32Inputs;
  const shape = forwardShape(active, inputs, args.attrs as ConvAttrs);
  if (active === null || shape === null) return fallback('Conv2D', args);
  const { backend, passes } = active;
  const y = backend.makeOutput(
    [shape.batch, shape.outHeightPx, shape.outWidthPx, shape.outChannels],
    'float32',
  );
  passes.forward(
    shape,
    heapOffsetOf(backend, inputs.x!),
    heapOffsetOf(backend, inputs.filter!),
    null,
    heapOffsetOf(backend, y),
    false,
  );
  calls.forward += 1;
  return y;
}

/** FusedConv2D with no or a [Cout] bias and a linear or ReLU activation; the rest falls back. */
function fusedConv2dKernel(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const active = activeFor(args.backend);
  const inputs = args.inputs as Float32Inputs;
  const { activation } = args.attrs as { activation?: string };
  const { bias, preluActivationWeights } = inputs;
  let shape = forwardShape(active, inputs, args.attrs as ConvAttrs);
  const isBiasCovered =
    bias === undefined ||
    (isFloat32(bias) && tf.util.sizeFromShape(bias.shape) === shape?.outChannels);
  const isActivationCovered =
    activation === undefined || activation === 'linear' || activation === 'relu';
  if (!isBiasCovered || !isActivationCovered || preluActivationWeights !== undefined) shape = null;
  if (active === null || shape === null) return fallback('FusedConv2D', args);
  const { backend, passes } = active;
  const y = backend.makeOutput(
    [shape.batch, shape.outHeightPx, shape.outWidthPx, shape.outChannels],
    'float32',
  );
  const biasOffset = bias === undefined ? null : heapOffsetOf(backend, bias);
  passes.forward(
    shape,
    heapOffsetOf(backend, inputs.x!),
    heapOffsetOf(backend, inputs.filter!),
    biasOffset,
    heapOffsetOf(backend, y),
    activation === 'relu',
  );
  calls.forward += 1;
  return y;
}

function inputGradientKernel(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const active = activeFor(args.backend);
  const { dy, filter } = args.inputs as Float32Inputs;
  const { inputShape } = args.attrs as { inputShape: number[] };
  const shape =
    active !== null && dy !== undefined && filter !== undefined && isFloat32(dy, filter)
      ? coveredShape(inputShape, filter.shape, args.attrs as ConvAttrs)
      : null;
  if (active === null || shape === null) return fallback('Conv2DBackpropInput', args);
  const { backend, passes } = active;
  const dx = backend.makeOutput([...inputShape], 'float32');
  passes.inputGradient(
    shape,
    heapOffsetOf(backend, dy!),
    heapOffsetOf(backend, filter!),
    heapOffsetOf(backend, dx),
  );
  calls.inputGradient += 1;
  return dx;
}

function filterGradientKernel(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const active = activeFor(args.backend);
  const { x, dy } = args.inputs as Float32Inputs;
  const { filterShape } = args.attrs as { filterShape: number[] };
  const shape =
    active !== null && x !== undefined && dy !== undefined && isFloat32(x, dy)
      ? coveredShape(x.shape, filterShape, args.attrs as ConvAttrs)
      : null;
  if (active === null || shape === null) return fallback('Conv2DBackpropFilter', args);
  const { backend, passes } = active;
  const dw = backend.makeOutput([...filterShape], 'float32');
  passes.filterGradient(
    shape,
    heapOffsetOf(backend, x!),
    heapOffsetOf(backend, dy!),
    heapOffsetOf(backend, dw),
  );
  calls.filterGradient += 1;
  return dw;
}

const KERNEL_FUNCS: Record<KernelName, tf.KernelFunc> = {
  Conv2D: conv2dKernel,
  FusedConv2D: fusedConv2dKernel,
  Conv2DBackpropInput: inputGradientKernel,
  Conv2DBackpropFilter: filterGradientKernel,
};

/** Our config for `name`, keeping the original's setup/dispose (they bind its C++ function). */
function ourKernel(name: KernelName): tf.KernelConfig {
  let config = ours.get(name);
  if (config === undefined) {
    const original = originals.get(name);
    config = {
      kernelName: name,
      backendName: BACKEND_NAME,
      kernelFunc: KERNEL_FUNCS[name],
      ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
      ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    };
    ours.set(name, config);
  }
  return config;
}

/** True when our four kernels are the ones tfjs runs on wasm. */
export function isInstalled(): boolean {
  return KERNEL_NAMES.every(
    (name) => ours.has(name) && tf.getKernel(name, BACKEND_NAME) === ours.get(name),
  );
}

function registerOurs(): void {
  for (const name of KERNEL_NAMES) {
    const current = tf.getKernel(name, BACKEND_NAME);
    if (current !== undefined && current === ours.get(name)) continue;
    if (!originals.has(name)) originals.set(name, current);
    if (current !== undefined) tf.unregisterKernel(name, BACKEND_NAME);
    tf.registerKernel(ourKernel(name));
  }
}

/** Puts tfjs-backend-wasm's kernels back (and none for Conv2DBackpropFilter). Idempotent. */
export function uninstallWasmConv3x3(): void {
  for (const name of KERNEL_NAMES) {
    if (tf.getKernel(name, BACKEND_NAME) !== ours.get(name) || !ours.has(name)) continue;
    tf.unregisterKernel(name, BACKEND_NAME);
    const original = originals.get(name);
    if (original !== undefined) tf.registerKernel(original);
  }
}

/** The kernels in use on wasm, or null when tfjs's own run. */
export function wasmConv3x3Status(): (WasmConv3x3Status & { threadsNote?: string }) | null {
  if (installation === null || activeFor(tf.backend()) === null) return null;
  const { flavour, threads, threadsNote } = installation;
  return { flavour, threads, ...(threadsNote === undefined ? {} : { threadsNote }) };
}

/** Whether a Conv2D of these shapes, on the active backend, runs on our kernels (all passes). */
export function isWasmConv3x3Covering(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
): boolean {
  return (
    tf.getBackend() === BACKEND_NAME &&
    activeFor(tf.backend()) !== null &&
    coveredShape(xShape, filterShape, attrs) !== null
  );
}

/** Images each of our threads has computed so far (the caller first); null when not installed. */
export function wasmConv3x3ImagesByThread(): number[] | null {
  return installation === null ? null : installation.runner.imagesByThread();
}

/** A copy of the call counters (tests check that the kernels really ran). */
export function wasmConv3x3Calls(): WasmConv3x3Calls {
  return { ...calls };
}

/** One thread, or a pool when the heap is shared and workers exist; says why if fewer. */
async function createRunner(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  passesThreads: number,
  kernels: ReturnType<typeof instantiateKernels>,
): Promise<{ runner: KernelRunner; threadsNote?: string }> {
  if (passesThreads <= 1) return { runner: singleThreadRunner(kernels) };
  const threads = Math.min(passesThreads, MAX_POOL_THREADS);
  if (!isSharedMemory(memory) || typeof Worker === 'undefined') {
    return { runner: singleThreadRunner(kernels), threadsNote: 'heap not shared' };
  }
  try {
    return { runner: await createPoolRunner(module, memory, kernels, threads - 1) };
  } catch (error) {
    return {
      runner: singleThreadRunner(kernels),
      threadsNote: `pool failed: ${errorMessage(error)}`,
    };
  }
}

/**
 * Installs our kernels for the active wasm backend with `flavour` on `threads` threads (more
 * than one needs the threaded binary's shared heap). Reuses the installation when nothing
 * changed. Throws when the active backend is not tfjs-backend-wasm as this code knows it.
 */
export async function installWasmConv3x3(
  flavour: SimdFlavour,
  threads: number,
): Promise<WasmConv3x3Status & { threadsNote?: string }> {
  const backend = tf.backend();
  if (tf.getBackend() !== BACKEND_NAME || !isWasmBackendInternals(backend)) {
    throw new Error('the active backend is not tfjs-backend-wasm');
  }
  const memory = heapMemoryOf(backend);
  if (memory === null) throw new Error("tfjs-backend-wasm's heap was not found");
  const current = installation;
  const isSame =
    current?.backend === backend && current.flavour === flavour && current.memory === memory;
  if (!isSame || (current.threads !== threads && current.threadsNote === undefined)) {
    const module = await compileKernelModule(flavour, isSharedMemory(memory));
    const kernels = instantiateKernels(module, memory);
    const { runner, threadsNote } = await createRunner(module, memory, threads, kernels);
    current?.runner.dispose();
    const passes = new Conv3x3Passes(kernels, runner, heapAllocatorOf(backend, memory));
    installation = {
      backend,
      memory,
      flavour,
      threads: runner.threads,
      passes,
      runner,
      ...(threadsNote === undefined ? {} : { threadsNote }),
    };
  }
  registerOurs();
  return wasmConv3x3Status()!;
}
