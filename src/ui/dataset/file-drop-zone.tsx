import { useState, type DragEvent } from 'react';
import { FileInput } from '../forms/file-input';

/** Where dataset files arrive: dropped on the zone or chosen with `Dataset files`. */
export function FileDropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const [isDragOver, setIsDragOver] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setIsDragOver(false);
    onFiles(Array.from(event.dataTransfer.files));
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
        Drop <code>fashion-mnist_train.csv</code> and <code>fashion-mnist_test.csv</code> here (or
        the four IDX files, <code>.gz</code> or not), or choose them:
      </p>
      <FileInput
        label="Dataset files"
        labelClassName="file-label"
        isMultiple
        accept=".csv,.gz,.ubyte,text/csv,application/gzip"
        onFiles={onFiles}
      />
      <p className="muted small">Files are read inside this tab; nothing is uploaded.</p>
    </div>
  );
}
