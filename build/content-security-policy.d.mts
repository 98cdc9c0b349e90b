import type { Plugin } from 'vite';

/** The one origin the page may connect to besides its own. */
export declare const DATASET_DOWNLOAD_ORIGIN: string;
/** Directive → sources, in the order they are sent. */
export declare const CONTENT_SECURITY_POLICY: Readonly<Record<string, readonly string[]>>;
/** The nonce of the dev server's injected script and style elements. */
export declare const DEV_SERVER_NONCE: string;
/** The policy as one header value; with `nonce`, elements carrying it are allowed too. */
export declare function contentSecurityPolicyHeader(options?: { nonce?: string }): string;
/** Marks what the dev server injects with DEV_SERVER_NONCE. */
export declare function contentSecurityPolicyPlugin(): Plugin;
