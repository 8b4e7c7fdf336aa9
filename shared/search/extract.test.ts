import { describe, expect, it } from 'vitest';
import { decodeText, extractPdfText, extractText } from './extract.ts';

// Web-standard (de)compression, global in Node 20 as in browsers: no Node imports in shared/.
async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream) {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}
const deflate = (b: Uint8Array) => pipe(b, new CompressionStream('deflate'));
const inflate = (b: Uint8Array) => pipe(b, new DecompressionStream('deflate'));

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A minimal one-page PDF around the given content stream bytes (xref offsets are not needed). */
function pdf(content: Uint8Array, filter = ''): Uint8Array {
  const head = latin1(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
      '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
      '3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n' +
      `4 0 obj << /Length ${content.length}${filter} >>\nstream\n`,
  );
  const tail = latin1('\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const out = new Uint8Array(head.length + content.length + tail.length);
  out.set(head);
  out.set(content, head.length);
  out.set(tail, head.length + content.length);
  return out;
}

const CONTENT =
  'BT /F1 12 Tf 72 712 Td (Invoice 4471 for Petrov \\(Varna\\)) Tj 0 -14 Td ' +
  '[(Total) -300 (due:) -250 (1\\0532 EUR)] TJ T* <FEFF041804320430043D> Tj ET';

describe('extractText', () => {
  it('decodes UTF-8 and UTF-16 text', async () => {
    expect(await extractText('text/plain; charset=utf-8', utf8('Иван Петров — café'))).toBe(
      'Иван Петров — café',
    );
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61, 0xff, 0x62]))).toBe('a\ufffdb');
    expect(decodeText(Uint8Array.from([0xff, 0xfe, 0x41, 0x00, 0x16, 0x04]))).toBe('AЖ');
    expect(decodeText(utf8('😀 emoji'))).toBe('😀 emoji');
  });

  it('strips HTML and refuses unknown types', async () => {
    const html = utf8('<p>Hello&nbsp;<b>world</b> &amp; co</p><script>x()</script>');
    expect(await extractText('text/html', html)).toBe('Hello world & co');
    expect(await extractText('image/png', new Uint8Array(4))).toBeNull();
  });

  it('reads text operators from an uncompressed PDF', async () => {
    const text = await extractText('application/pdf', pdf(latin1(CONTENT)));
    expect(text).toBe('Invoice 4471 for Petrov (Varna)\nTotal due: 1+2 EUR\nИван');
  });

  it('inflates FlateDecode streams', async () => {
    const compressed = await deflate(latin1(CONTENT));
    const file = pdf(compressed, ' /Filter /FlateDecode');
    expect(await extractPdfText(file, inflate)).toContain('Petrov (Varna)');
    await expect(extractPdfText(file)).rejects.toThrow(/inflate/);
  });

  it('rejects what is not a PDF', async () => {
    await expect(extractPdfText(latin1('hello'))).rejects.toThrow(/not a PDF/);
  });
});
