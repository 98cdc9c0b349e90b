// Runs bench/conv-gradient-node.ts through Vite's module runner (Node 20 cannot run TypeScript).
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { conv3x3KernelsPlugin } from '../build/conv3x3-kernels-plugin.mjs';

const entry = fileURLToPath(new URL('./conv-gradient-node.ts', import.meta.url));
// The training backend imports our convolution kernels from the plugin's virtual module.
const { module } = await runnerImport(entry, { plugins: [conv3x3KernelsPlugin()] });
await module.runConvGradientBenchmark();
