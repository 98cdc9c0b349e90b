import type { Plugin } from 'vite';

/** The one origin the page may connect to besides its own. */
export declare const DATASET_DOWNLOAD_ORIGIN: string;
/** Directive → sources, in the order they are sent. */
export declare const CONTENT_SECURITY_POLICY: Readonly<Record<string, readonly string[]>>;
/** A fresh nonce (128 random bits, base64) for the dev server's injected elements. */
export declare function createDevServerNonce(): string;
/** The policy as one header value; with `nonce`, elements carrying it are allowed too. */
export declare function contentSecurityPolicyHeader(options?: { nonce?: string }): string;
/** Per dev server start: a fresh nonce on what Vite injects and in the server's policy. */
export declare function contentSecurityPolicyPlugin(): Plugin;
