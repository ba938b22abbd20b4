// What was dropped on the page: plain files, or folders (a checkpoint folder dragged from the file manager),
// read through the File and Directory Entries API; and whether the files are a model rather than a CSV.

/** Files of a drop, folders walked (one level of nesting is enough for a checkpoint folder, but all are read). */
export function droppedFiles(dataTransfer: DataTransfer): Promise<File[]> {
  // NOTE: items are only readable during the drop event, so the entries are taken now and walked afterwards.
  const entries = Array.from(dataTransfer.items ?? [])
    .map((item) => (item.kind === 'file' && typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((entry): entry is FileSystemEntry => entry !== null);
  const plain = Array.from(dataTransfer.files);
  if (entries.length === 0 || entries.every((e) => e.isFile)) return Promise.resolve(plain);
  return Promise.all(entries.map(walk)).then((lists) => lists.flat());
}

function walk(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) {
    return new Promise((resolve, reject) => (entry as FileSystemFileEntry).file((file) => resolve([file]), reject));
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const all: FileSystemEntry[] = [];
  return new Promise<FileSystemEntry[]>((resolve, reject) => {
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  }).then((children) => Promise.all(children.map(walk)).then((lists) => lists.flat()));
}

/** Whether dropped files are a model (weights or an ONNX graph, or a model's JSON files) rather than data. */
export function looksLikeModel(files: readonly File[]): boolean {
  return files.some((f) => /\.(safetensors|onnx)$/i.test(f.name)) || (files.length > 0 && files.every((f) => /^(config|manifest)\.json$/i.test(f.name)));
}
