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
