/** The alerts of the Data panel for files that could not be read, in the person's words. */
import { errorMessage } from '../../shared/errors';
import { IngestError, type IngestErrorDetails } from '../../data/ingest-types';

/** A failed load as the alert shows it: an IngestError says where; anything else says what. */
export function toErrorDetails(fileName: string, error: unknown): IngestErrorDetails {
  if (error instanceof IngestError) return error.details;
  const text = errorMessage(error);
  return { fileName, expected: 'a readable file', message: `${fileName}: ${text}` };
}

/** Why a file whose name is neither a Fashion-MNIST CSV nor an IDX file is turned away. */
export function notFashionMnistFile(fileName: string): IngestErrorDetails {
  return {
    fileName,
    expected: 'a Fashion-MNIST CSV (.csv) or IDX file (*-idx3-ubyte, *-idx1-ubyte, optionally .gz)',
    message: `${fileName}: not a Fashion-MNIST file. Expected a CSV (.csv) with the header label,pixel1,…,pixel784, or an IDX file named like train-images-idx3-ubyte[.gz].`,
  };
}

/** The files of a dropped or chosen folder that are not dataset files, skipped. */
export function ignoredInFolder(paths: string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  const more = paths.length > 5 ? ` and ${paths.length - 5} more` : '';
  const count = paths.length === 1 ? 'one file' : `${paths.length} files`;
  return `Ignored ${count} of the folder that ${paths.length === 1 ? 'is' : 'are'} not Fashion-MNIST data: ${shown}${more}.`;
}
