/**
 * The browser's two ways to move a file across the sandbox's edge, for every feature: the user
 * picks files (an `<input type=file>` the page clicks), or the page offers one as a download.
 */

/** Opens the file chooser; resolves with the chosen files (none when the user cancels). */
export function pickFiles(accept: string, multiple = true): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = multiple;
    input.addEventListener('change', () => resolve(Array.from(input.files ?? [])), { once: true });
    input.addEventListener('cancel', () => resolve([]), { once: true });
    input.click();
  });
}

/** Offers `text` as a download named `fileName`. */
export function downloadText(text: string, fileName: string, type = 'application/json'): void {
  downloadBlob(new Blob([text], { type }), fileName);
}

/** Offers `blob` as a download named `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; the URL is kept a while for slow save dialogs.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
