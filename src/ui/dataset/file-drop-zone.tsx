import { useState, type DragEvent } from 'react';
import { errorMessage } from '../../shared/errors';
import { FileInput } from '../forms/file-input';
import type { AddFilesOptions } from './use-dataset';
import { takeDroppedFiles } from './dropped-files';

/**
 * Where dataset files arrive: dropped on the zone (files, folders or Kaggle's archive.zip),
 * chosen with `Dataset files`, or a whole folder chosen with `Dataset folder`.
 */
export function FileDropZone({
  onFiles,
}: {
  onFiles: (files: File[], options?: AddFilesOptions) => void;
}) {
  const [isDragOver, setIsDragOver] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setIsDragOver(false);
    setDropError(null);
    const dropped = takeDroppedFiles(event.dataTransfer);
    if ('files' in dropped) {
      onFiles(dropped.files);
      return;
    }
    dropped.folderFiles.then(
      (files) => onFiles(files, { isFolder: true }),
      (error: unknown) =>
        setDropError(`The dropped folder could not be read: ${errorMessage(error)}`),
    );
  };

  return (
    <div
      className={`drop-zone${isDragOver ? ' drop-zone--active' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setIsDragOver(true);
      }}
      onDragLeave={() => setIsDragOver(false)}
      onDrop={onDrop}
      data-testid="drop-zone"
    >
      <p>
        Drop <code>fashion-mnist_train.csv</code> and <code>fashion-mnist_test.csv</code> here
        (gzipped or not), the four IDX files, Kaggle&apos;s <code>archive.zip</code> or a folder
        holding them, or choose them:
      </p>
      <FileInput
        label="Dataset files"
        labelClassName="file-label"
        isMultiple
        accept=".csv,.gz,.zip,.ubyte,text/csv,application/gzip,application/zip"
        onFiles={onFiles}
      />{' '}
      <FileInput
        label="Dataset folder"
        labelClassName="file-label"
        isDirectory
        onFiles={(files) => onFiles(files, { isFolder: true })}
      />
      {dropError && (
        <p role="alert" className="alert">
          {dropError}
        </p>
      )}
      <p className="muted small">Files are read inside this tab; nothing is uploaded.</p>
    </div>
  );
}
