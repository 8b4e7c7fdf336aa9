import { describe, expect, it } from 'vitest';
import { formatBytes, mediaTypeOf, previewKind, shortHash } from './attachmentFormat.ts';

describe('attachment format', () => {
  it('formats sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
    expect(formatBytes(-1)).toBe('?');
  });

  it('shortens hashes', () => {
    const hash = 'a'.repeat(64);
    expect(shortHash(hash)).toBe(`${'a'.repeat(12)}…`);
    expect(shortHash('abc')).toBe('abc');
  });

  it('previews images and PDFs only', () => {
    expect(previewKind('image/png', 'x.png')).toBe('image');
    expect(previewKind('application/pdf', 'x')).toBe('pdf');
    expect(previewKind('', 'scan.PDF')).toBe('pdf');
    expect(previewKind('application/octet-stream', 'photo.jpeg')).toBe('image');
    expect(previewKind('text/html', 'page.html')).toBe('none');
    expect(previewKind('application/zip', 'x.png')).toBe('none');
  });

  it('guesses a media type when the browser gives none', () => {
    expect(mediaTypeOf({ type: 'text/plain', name: 'a.pdf' })).toBe('text/plain');
    expect(mediaTypeOf({ type: '', name: 'a.PDF' })).toBe('application/pdf');
    expect(mediaTypeOf({ type: '', name: 'noext' })).toBe('application/octet-stream');
  });
});
