/** Types of csv-fixtures.mjs (plain JavaScript so that .ci/run and bench/ can run it too). */
export declare const PROJECT_ROOT: string;
export declare const DATASET_DIR: string;
export declare const FIXTURES_DIR: string;
export declare const FIXTURE_SETS: { small: 100; subset: 2000; full: undefined };
export declare function ensureCsvFixture(
  set: keyof typeof FIXTURE_SETS,
): Promise<{ trainCsv: string; testCsv: string }>;
