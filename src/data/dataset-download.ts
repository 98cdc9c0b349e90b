/**
 * Where the app can fetch Fashion-MNIST from when the person has no files: the small sample it
 * ships in public/sample/, and (opt-in) the four official IDX files from Zalando's GitHub
 * repository. Downloads end as `File`s named like the official files, so they go through the
 * same loader, checks and keeping as dropped files. No DOM here: it runs in Node tests too.
 */

/** One file to download and the name it gets (the loader reads kind and split from it). */
export interface DownloadFile {
  /** Absolute, or relative to the `baseUrl` given to downloadDatasetFiles. */
  url: string;
  /** The official name: `train-images-idx3-ubyte.gz` and so on. */
  name: string;
  /** Size in bytes when known ahead (shown before the download starts). */
  bytes: number;
}

export interface DatasetSource {
  /** What the person is told the files are. */
  title: string;
  /** Where they come from, as shown to the person (a host name or "this app"). */
  from: string;
  files: readonly DownloadFile[];
}

/**
 * The raw file host of Zalando's fashion-mnist repository on GitHub. It answers cross-origin
 * requests (Access-Control-Allow-Origin: *), which a cross-origin-isolated page needs; the S3
 * mirror named in the repository's README is plain HTTP without CORS. The Content-Security-Policy
 * (build/content-security-policy.mjs) allows connections to this origin and no other.
 */
export const OFFICIAL_DATASET_ORIGIN = 'https://raw.githubusercontent.com';
const OFFICIAL_DATASET_BASE_URL = `${OFFICIAL_DATASET_ORIGIN}/zalandoresearch/fashion-mnist/master/data/fashion/`;

/** The repository's page, for people who want to see where the files come from. */
export const OFFICIAL_DATASET_PAGE_URL = 'https://github.com/zalandoresearch/fashion-mnist';
/** Kaggle's copy, as two CSVs (`fashion-mnist_train.csv`, `fashion-mnist_test.csv`). */
export const KAGGLE_DATASET_PAGE_URL =
  'https://www.kaggle.com/datasets/zalando-research/fashionmnist';

const official = (name: string, bytes: number): DownloadFile => ({
  url: OFFICIAL_DATASET_BASE_URL + name,
  name,
  bytes,
});

/** The four official gzipped IDX files, 60,000 training and 10,000 test images. */
export const OFFICIAL_DATASET: DatasetSource = {
  title: 'the full Fashion-MNIST dataset (four official IDX files)',
  from: 'raw.githubusercontent.com (zalandoresearch/fashion-mnist on GitHub)',
  files: [
    official('train-images-idx3-ubyte.gz', 26_421_880),
    official('train-labels-idx1-ubyte.gz', 29_515),
    official('t10k-images-idx3-ubyte.gz', 4_422_102),
    official('t10k-labels-idx1-ubyte.gz', 5_148),
  ],
};

/** Images in the shipped sample (scripts/make-sample.mjs writes it). */
export const SAMPLE_TRAIN_COUNT = 5_000;
export const SAMPLE_TEST_COUNT = 1_000;

/**
 * The sample in public/sample/: the first 5,000 training and 1,000 test images of the official
 * files. Its files are named `*.sample.gz` on the server (so they are not taken for the full
 * files) and get the official names, with `sample-` in front, once downloaded.
 */
export const SAMPLE_DATASET: DatasetSource = {
  title: `a sample of ${SAMPLE_TRAIN_COUNT.toLocaleString('en-US')} training and ${SAMPLE_TEST_COUNT.toLocaleString('en-US')} test images`,
  from: 'this app',
  files: [
    {
      url: 'sample/train-images-idx3.sample.gz',
      name: 'sample-train-images-idx3-ubyte.gz',
      bytes: 2_174_951,
    },
    {
      url: 'sample/train-labels-idx1.sample.gz',
      name: 'sample-train-labels-idx1-ubyte.gz',
      bytes: 2_343,
    },
    {
      url: 'sample/t10k-images-idx3.sample.gz',
      name: 'sample-t10k-images-idx3-ubyte.gz',
      bytes: 441_605,
    },
    {
      url: 'sample/t10k-labels-idx1.sample.gz',
      name: 'sample-t10k-labels-idx1-ubyte.gz',
      bytes: 479,
    },
  ],
};

/** Sum of the files' known sizes, bytes. */
export function sourceBytes(source: DatasetSource): number {
  return source.files.reduce((sum, file) => sum + file.bytes, 0);
}

/** Bytes received so far of all files together, and the total expected. */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number;
}

export interface DownloadOptions {
  /** What relative file URLs are resolved against (the page's base URL). */
  baseUrl?: string | URL;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Injectable for tests; the global fetch by default. */
  fetch?: typeof fetch;
}

/** A download that failed, with the file and the reason in one sentence. */
export class DownloadError extends Error {
  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** Reads a response body to the end, reporting each chunk's length. */
async function readBody(response: Response, onChunk: (bytes: number) => void): Promise<Blob> {
  if (!response.body) {
    const blob = await response.blob();
    onChunk(blob.size);
    return blob;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value as Uint8Array<ArrayBuffer>);
    onChunk(value.byteLength);
  }
  return new Blob(chunks);
}

/** Fetches one file; a network failure or an HTTP error becomes a DownloadError. */
async function downloadOne(
  file: DownloadFile,
  options: DownloadOptions,
  onChunk: (bytes: number) => void,
): Promise<File> {
  const url = new URL(file.url, options.baseUrl);
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    // No credentials: the files are public, and a cross-origin request with cookies would be
    // refused by the host's `Access-Control-Allow-Origin: *` anyway.
    response = await doFetch(url, { signal: options.signal, credentials: 'omit' });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new DownloadError(
      file.name,
      `${file.name}: could not be downloaded from ${url.host} (the network request failed; ` +
        'is the computer offline?).',
    );
  }
  if (!response.ok) {
    throw new DownloadError(
      file.name,
      `${file.name}: ${url.host} answered HTTP ${response.status}` +
        `${response.statusText ? ` ${response.statusText}` : ''} instead of the file.`,
    );
  }
  const body = await readBody(response, onChunk);
  return new File([body], file.name, { type: 'application/gzip' });
}

/**
 * Downloads every file of `source`, one after another, and returns them as `File`s under their
 * official names. Progress counts bytes of all files against the sum of their known sizes (or
 * the bytes received, when a server sends more). Rejects with DownloadError, or with the
 * signal's reason when aborted.
 */
export async function downloadDatasetFiles(
  source: DatasetSource,
  options: DownloadOptions = {},
): Promise<File[]> {
  const totalBytes = sourceBytes(source);
  let receivedBytes = 0;
  const files: File[] = [];
  options.onProgress?.({ receivedBytes, totalBytes });
  for (const file of source.files) {
    files.push(
      await downloadOne(file, options, (bytes) => {
        receivedBytes += bytes;
        options.onProgress?.({ receivedBytes, totalBytes: Math.max(totalBytes, receivedBytes) });
      }),
    );
  }
  return files;
}
