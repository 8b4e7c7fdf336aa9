/** Types of the helpers scripts/web.mjs exports for benchmarks and the e2e setup. */
export declare const ROOT: string;
export declare function rendererIsStale(): boolean;
export declare function buildRenderer(): boolean;
export declare function ensureRenderer(): boolean;
