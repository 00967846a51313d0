/** Saves a blob as a file through a temporary link (the browser's download). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The download has taken the blob by then; the URL only holds memory.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}
