/**
 * The files of a drop, folders included: a dropped directory is walked through the File and
 * Directory Entries API (`DataTransferItem.webkitGetAsEntry`), every file of it and of its
 * subfolders. The entries must be taken during the drop event; reading them may come later.
 */

/** Reads every entry of a directory (readEntries answers in batches until it gives none). */
function readAllEntries(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const readBatch = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) {
          resolve(all);
          return;
        }
        all.push(...batch);
        readBatch();
      }, reject);
    readBatch();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every file under `entry`, depth first. */
async function filesUnder(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) return [await fileOf(entry as FileSystemFileEntry)];
  if (!entry.isDirectory) return [];
  const children = await readAllEntries(entry as FileSystemDirectoryEntry);
  const nested = await Promise.all(children.map(filesUnder));
  return nested.flat();
}

/**
 * What a drop holds, taken now (call it inside the drop handler: the DataTransfer is emptied
 * once the event returns). Plain files come back at once; a drop with a folder in it comes
 * back as a promise of every file, folders walked.
 */
export function takeDroppedFiles(
  data: DataTransfer,
): { files: File[] } | { folderFiles: Promise<File[]> } {
  const items = Array.from(data.items ?? []).filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  if (!entries.some((entry) => entry?.isDirectory === true)) {
    return { files: Array.from(data.files) };
  }
  const plainFiles = items.map((item, i) => (entries[i] ? null : item.getAsFile()));
  const folderFiles = Promise.all(
    entries.map((entry, i) => {
      const plain = plainFiles[i];
      if (entry) return filesUnder(entry);
      return Promise.resolve(plain ? [plain] : []);
    }),
  ).then((lists) => lists.flat());
  return { folderFiles };
}
