/**
 * Test helpers: text → bytes in a legacy single-byte encoding or UTF-16, so fixtures are made
 * from known names by the tests themselves (the platform only encodes UTF-8). The table of a
 * single-byte encoding is the platform decoder's, inverted.
 */
const tables = new Map<string, Map<string, number>>();

export function encodeSingleByte(text: string, label: string): Uint8Array {
  let table = tables.get(label);
  if (!table) {
    table = new Map();
    const decoder = new TextDecoder(label);
    for (let byte = 0; byte < 256; byte += 1) {
      const char = decoder.decode(new Uint8Array([byte]));
      if (char !== '\uFFFD' && !table.has(char)) table.set(char, byte);
    }
    tables.set(label, table);
  }
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    const byte = table.get(text[i]!);
    if (byte === undefined) throw new Error(`${label} has no ${text[i]}`);
    bytes[i] = byte;
  }
  return bytes;
}

export function encodeUtf16le(text: string, bom = true): Uint8Array {
  const bytes = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  let at = 0;
  if (bom) {
    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    at = 2;
  }
  for (let i = 0; i < text.length; i += 1, at += 2) {
    const unit = text.charCodeAt(i);
    bytes[at] = unit & 0xff;
    bytes[at + 1] = unit >> 8;
  }
  return bytes;
}
