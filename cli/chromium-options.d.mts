/** Types of chromium-options.mjs (plain JavaScript so that plain-Node scripts can import it). */
export declare const CHROMIUM_PATH: string;
export declare const COMMAND_CHROMIUM_ARGS: string[];
