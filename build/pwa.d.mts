import type { PluginOption } from 'vite';

/** The files the service worker precaches, relative to dist/. */
export declare const PRECACHE_GLOB_PATTERNS: readonly string[];
/** The web app manifest and the precaching service worker. */
export declare function progressiveWebAppPlugin(): PluginOption;
