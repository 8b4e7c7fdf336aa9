// Text extraction for indexing attachments.
//
// Plain text: UTF-8 (or UTF-16 with a byte-order mark), decoded here because shared/ has no
// TextDecoder. HTML: tags and scripts removed, common entities decoded.
// PDF: a deliberately small extractor. It finds every `stream … endstream` whose dictionary has
// no filter or /FlateDecode (inflated by the injected `inflate`, since decompression needs
// DOM/Node APIs), skips images and embedded fonts, and interprets the text operators of content
// streams: Tj, TJ (large negative kerning becomes a space), ' and ", with Td/TD/T*/Tm/ET as line
// breaks. Strings are read as PDFDocEncoding (≈ Latin-1) or UTF-16BE with a BOM. Fonts with
// custom encodings or CID fonts without ToUnicode handling come out garbled or empty — good
// enough for the typical text PDFs that office tools produce, not a PDF renderer.

export type Inflate = (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface ExtractOptions {
  /** zlib inflate for FlateDecode streams (Node: zlib.inflateSync; browser: DecompressionStream). */
  inflate?: Inflate;
}

/** Extracted text, or null when the media type is not supported. */
export async function extractText(
  mediaType: string,
  bytes: Uint8Array,
  options: ExtractOptions = {},
): Promise<string | null> {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  if (type === 'application/pdf') return extractPdfText(bytes, options.inflate);
  if (type === 'text/html' || type === 'application/xhtml+xml')
    return htmlToText(decodeText(bytes));
  if (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  ) {
    return decodeText(bytes);
  }
  return null;
}

/** UTF-8 (default) or BOM-marked UTF-16; malformed sequences become U+FFFD. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes.subarray(2), false);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes.subarray(2), true);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return decodeUtf8(bytes, start);
}

function decodeUtf8(bytes: Uint8Array, start: number): string {
  const out: string[] = [];
  let codes: number[] = [];
  const flush = () => {
    out.push(String.fromCodePoint(...codes));
    codes = [];
  };
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i];
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b < 0x80) {
      codes.push(b);
      i++;
      if (codes.length >= 8192) flush();
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      codes.push(0xfffd);
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || (c & 0xc0) !== 0x80) break;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (j <= need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      codes.push(0xfffd);
      i += Math.max(1, j);
      continue;
    }
    codes.push(cp);
    i += need + 1;
    if (codes.length >= 8192) flush();
  }
  flush();
  return out.join('');
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  const units: number[] = [];
  const out: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    units.push(littleEndian ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1]);
    if (units.length >= 8192) out.push(String.fromCharCode(...units.splice(0)));
  }
  out.push(String.fromCharCode(...units));
  return out.join('');
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp =
          e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

// --- PDF -------------------------------------------------------------------------------------

function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  }
  return s;
}

/** Text of a PDF, pages' content streams in file order. */
export async function extractPdfText(bytes: Uint8Array, inflate?: Inflate): Promise<string> {
  const raw = latin1(bytes);
  if (!raw.startsWith('%PDF-')) throw new Error('not a PDF file');
  const parts: string[] = [];
  const streamRe = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = streamRe.exec(raw)) !== null) {
    if (raw.slice(m.index - 3, m.index) === 'end') continue;
    const dictStart = raw.lastIndexOf('<<', m.index);
    const objStart = raw.lastIndexOf(' obj', m.index);
    const dict = raw.slice(Math.max(dictStart, objStart, 0), m.index);
    const dataStart = m.index + m[0].length;
    const end = raw.indexOf('endstream', dataStart);
    if (end < 0) break;
    streamRe.lastIndex = end + 9;
    if (/\/Subtype\s*\/Image|\/Length[123]\b|\/Type\s*\/(XRef|ObjStm|Metadata)/.test(dict))
      continue;
    let data = bytes.subarray(dataStart, end);
    const filters = /\/Filter\s*(\[[^\]]*\]|\/\w+)/.exec(dict)?.[1] ?? '';
    const names = filters.match(/\/\w+/g) ?? [];
    if (names.some((f) => f !== '/FlateDecode' && f !== '/Fl')) continue;
    if (names.length > 0) {
      if (!inflate) throw new Error('PDF uses FlateDecode: an inflate function is required');
      try {
        data = await inflate(trimEol(data));
      } catch {
        continue; // a damaged stream should not lose the rest of the document
      }
    }
    const content = latin1(data);
    if (!/\bBT\b/.test(content)) continue;
    const text = contentText(content);
    if (text) parts.push(text);
  }
  return parts.join('\n').trim();
}

function trimEol(data: Uint8Array): Uint8Array {
  let end = data.length;
  while (end > 0 && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
  return data.subarray(0, end);
}

type Operand = string | number | Operand[] | null;

const DELIMS = '()<>[]{}/%';

function isWhite(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\f' || c === '\0';
}

/** Interprets text-showing operators of one content stream. */
function contentText(s: string): string {
  let out = '';
  const stack: Operand[] = [];
  const arrays: Operand[][] = [];
  const push = (v: Operand) =>
    arrays.length > 0 ? arrays[arrays.length - 1].push(v) : stack.push(v);
  const newline = () => {
    if (out !== '' && !out.endsWith('\n')) out += '\n';
  };
  const space = () => {
    if (out !== '' && !/\s$/.test(out)) out += ' ';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (isWhite(c)) {
      i++;
    } else if (c === '%') {
      while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
    } else if (c === '(') {
      const [str, next] = readLiteral(s, i + 1);
      push(str);
      i = next;
    } else if (c === '<' && s[i + 1] === '<') {
      // Inline dictionaries (marked content properties) carry no text.
      let depth = 0;
      while (i < s.length) {
        if (s.startsWith('<<', i)) {
          depth++;
          i += 2;
        } else if (s.startsWith('>>', i)) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      push(null);
    } else if (c === '<') {
      const close = s.indexOf('>', i);
      const end = close < 0 ? s.length : close;
      push(hexString(s.slice(i + 1, end)));
      i = end + 1;
    } else if (c === '[') {
      arrays.push([]);
      i++;
    } else if (c === ']') {
      const arr = arrays.pop() ?? [];
      push(arr);
      i++;
    } else if (c === '/') {
      let j = i + 1;
      while (j < s.length && !isWhite(s[j]) && !DELIMS.includes(s[j])) j++;
      push(null);
      i = j;
    } else {
      let j = i;
      while (j < s.length && !isWhite(s[j]) && !DELIMS.includes(s[j])) j++;
      if (j === i) j++;
      const word = s.slice(i, j);
      i = j;
      if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
        push(Number(word));
        continue;
      }
      switch (word) {
        case 'Tj':
          out += decodePdfString(stack.pop());
          break;
        case "'":
          newline();
          out += decodePdfString(stack.pop());
          break;
        case '"':
          newline();
          out += decodePdfString(stack.pop());
          break;
        case 'TJ': {
          const arr = stack.pop();
          if (Array.isArray(arr)) {
            for (const item of arr) {
              if (typeof item === 'number') {
                if (item < -200) space();
              } else out += decodePdfString(item);
            }
          }
          break;
        }
        case 'Td':
        case 'TD': {
          const ty = stack[stack.length - 1];
          if (typeof ty === 'number' && ty !== 0) newline();
          else space();
          break;
        }
        case 'T*':
        case 'ET':
          newline();
          break;
        case 'Tm':
          newline();
          break;
        case 'BI': {
          // Inline image: binary data up to 'EI'.
          const ei = s.indexOf('EI', s.indexOf('ID', i));
          i = ei < 0 ? s.length : ei + 2;
          break;
        }
        default:
          break;
      }
      stack.length = 0;
    }
  }
  return out.trim();
}

function readLiteral(s: string, i: number): [string, number] {
  let depth = 1;
  let out = '';
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1] ?? '';
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
      if (n in simple) {
        out += simple[n];
        i += 2;
      } else if (/[0-7]/.test(n)) {
        const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4))![0];
        out += String.fromCharCode(parseInt(oct, 8) & 0xff);
        i += 1 + oct.length;
      } else if (n === '\r' || n === '\n') {
        i += n === '\r' && s[i + 2] === '\n' ? 3 : 2; // line continuation
      } else {
        out += n;
        i += 2;
      }
    } else if (c === '(') {
      depth++;
      out += c;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
      if (depth === 0) break;
      out += c;
    } else {
      out += c;
      i++;
    }
  }
  return [out, i];
}

function hexString(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  let out = '';
  for (let i = 0; i < clean.length; i += 2) {
    out += String.fromCharCode(parseInt(clean.slice(i, i + 2).padEnd(2, '0'), 16));
  }
  return out;
}

/** Byte string to text: UTF-16BE when it starts with a BOM, else PDFDocEncoding ≈ Latin-1. */
function decodePdfString(value: Operand | undefined): string {
  if (typeof value !== 'string') return '';
  if (value.charCodeAt(0) === 0xfe && value.charCodeAt(1) === 0xff) {
    let out = '';
    for (let i = 2; i + 1 < value.length; i += 2) {
      out += String.fromCharCode((value.charCodeAt(i) << 8) | value.charCodeAt(i + 1));
    }
    return out;
  }
  return value;
}
