/**
 * Display helpers for attachments: human sizes, shortened hashes, and which preview a file gets.
 * Only raster/vector images (shown in <img>, where no script runs) and PDFs are previewed; every
 * other type is offered for saving only, so no attachment content is ever run in the app.
 */

export function formatBytes(size: number): string {
  if (!Number.isFinite(size) || size < 0) return '?';
  if (size < 1024) return `${size} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function shortHash(sha256: string, length = 12): string {
  return sha256.length <= length ? sha256 : `${sha256.slice(0, length)}…`;
}

export type PreviewKind = 'image' | 'pdf' | 'none';

const IMAGE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/svg+xml',
]);
const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp|avif|bmp|svg)$/i;

export function previewKind(mediaType: string, fileName: string): PreviewKind {
  const type = mediaType.toLowerCase().split(';')[0]?.trim() ?? '';
  if (IMAGE_TYPES.has(type)) return 'image';
  if (type === 'application/pdf') return 'pdf';
  // Files dropped without a type (some OS/browser pairs) fall back to the extension.
  if (type === '' || type === 'application/octet-stream') {
    if (IMAGE_EXTENSIONS.test(fileName)) return 'image';
    if (/\.pdf$/i.test(fileName)) return 'pdf';
  }
  return 'none';
}

/** The media type stored for a picked file: the browser's, else guessed from the extension. */
export function mediaTypeOf(file: { readonly type: string; readonly name: string }): string {
  if (file.type) return file.type;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
  const known: Record<string, string> = {
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    svg: 'image/svg+xml',
    txt: 'text/plain',
    csv: 'text/csv',
    json: 'application/json',
  };
  return (extension && known[extension]) || 'application/octet-stream';
}
