import type { Plugin } from 'vite';

/** The id the app imports the kernel modules' URLs and the feature probes from. */
export declare const CONV3X3_KERNELS_MODULE_ID: 'virtual:conv3x3-kernels';
/** Generates, assembles and serves the 3×3 convolution kernels as `virtual:conv3x3-kernels`. */
export declare function conv3x3KernelsPlugin(): Plugin;
