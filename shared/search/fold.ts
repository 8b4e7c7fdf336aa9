// Text folding shared by search and entity resolution.
//
// A value is folded in four steps: lower-case, transliterate Cyrillic / Greek / a light Arabic
// table to Latin, NFKD, then drop combining marks (so 'Müller' → 'muller', 'Иван' → 'ivan',
// 'Δημήτρης' → 'dimitris'). A few Latin letters that NFKD does not decompose (ß, ø, ł, æ …)
// are mapped by the same table. Tokens are maximal runs of letters/digits; `tokenSpans` also
// reports where each token sits in the original string so snippets can quote the source text.
//
// Transliteration loses information (Arabic short vowels are not written, Cyrillic has several
// romanisation standards); the search index compensates with edit-distance matching.

const TABLE: Record<string, string> = {
  // Russian / shared Cyrillic (a simplified BGN-style scheme)
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  // Ukrainian, Belarusian, Serbian, Macedonian
  і: 'i',
  ї: 'yi',
  є: 'ye',
  ґ: 'g',
  ў: 'u',
  ђ: 'dj',
  ј: 'j',
  љ: 'lj',
  њ: 'nj',
  ћ: 'c',
  џ: 'dz',
  ѓ: 'gj',
  ќ: 'kj',
  ѕ: 'dz',
  // Greek (accents are removed afterwards by NFKD, so only base letters are needed)
  α: 'a',
  ά: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  έ: 'e',
  ζ: 'z',
  η: 'i',
  ή: 'i',
  θ: 'th',
  ι: 'i',
  ί: 'i',
  ϊ: 'i',
  ΐ: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  ό: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  ύ: 'y',
  ϋ: 'y',
  ΰ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
  ώ: 'o',
  // Arabic, consonant skeleton only (short vowels are not written)
  ا: 'a',
  أ: 'a',
  إ: 'i',
  آ: 'a',
  ب: 'b',
  ت: 't',
  ث: 'th',
  ج: 'j',
  ح: 'h',
  خ: 'kh',
  د: 'd',
  ذ: 'dh',
  ر: 'r',
  ز: 'z',
  س: 's',
  ش: 'sh',
  ص: 's',
  ض: 'd',
  ط: 't',
  ظ: 'z',
  ع: '',
  غ: 'gh',
  ف: 'f',
  ق: 'q',
  ك: 'k',
  ل: 'l',
  م: 'm',
  ن: 'n',
  ه: 'h',
  و: 'w',
  ي: 'y',
  ى: 'a',
  ة: 'a',
  ء: '',
  ؤ: 'w',
  ئ: 'y',
  پ: 'p',
  چ: 'ch',
  ژ: 'zh',
  گ: 'g',
  ک: 'k',
  ی: 'y',
  // Latin letters without a canonical decomposition
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};

const ASCII = /^\p{ASCII}*$/u;
const MARKS = /\p{M}+/gu;
// Greek vowel digraphs romanised as pairs ('Παπαδόπουλος' → 'papadopoulos', not '…poylos').
const GREEK_DIGRAPHS = /ο[υύ]|[αά]υ|[εέ]υ|γγ|γκ/g;
const GREEK_DIGRAPH: Record<string, string> = {
  ου: 'ou',
  ού: 'ou',
  αυ: 'av',
  άυ: 'av',
  ευ: 'ev',
  έυ: 'ev',
  γγ: 'ng',
  γκ: 'gk',
};
const NON_ASCII_CHAR = /\P{ASCII}/gu;

/** Lower-cases, transliterates and strips diacritics; separators are kept as they are. */
export function foldText(value: string): string {
  const lower = value.toLowerCase();
  if (ASCII.test(lower)) return lower;
  return lower
    .normalize('NFC')
    .replace(GREEK_DIGRAPHS, (pair) => GREEK_DIGRAPH[pair] ?? pair)
    .replace(NON_ASCII_CHAR, (ch) => TABLE[ch] ?? ch)
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase();
}

const RUN = /[\p{L}\p{M}\p{N}]+/gu;
const ASCII_RUN = /[a-z0-9]+/g;

/** Folded tokens of a value, in order (duplicates kept). */
export function tokenize(value: string): string[] {
  const out: string[] = [];
  if (ASCII.test(value)) {
    for (const m of value.toLowerCase().matchAll(ASCII_RUN)) out.push(m[0]);
    return out;
  }
  for (const m of value.matchAll(RUN)) {
    const folded = foldText(m[0]);
    // Folding can introduce separators (e.g. NFKD of '½' is '1⁄2'), so split again.
    for (const part of folded.matchAll(RUN)) out.push(part[0]);
  }
  return out;
}

/** `tokenize(value).join(' ')` ('Ivan  PETROV-Jr' → 'ivan petrov jr'), without the array for ASCII. */
export function foldedWords(value: string): string {
  if (ASCII.test(value)) return value.toLowerCase().replace(NOT_ASCII_WORD, ' ').trim();
  return tokenize(value).join(' ');
}

const NOT_ASCII_WORD = /[^a-z0-9]+/g;

export interface TokenSpan {
  token: string;
  start: number;
  end: number;
}

/** Like `tokenize` but with the UTF-16 offsets of each token's source run in `value`. */
export function tokenSpans(value: string): TokenSpan[] {
  const out: TokenSpan[] = [];
  for (const m of value.matchAll(RUN)) {
    const start = m.index;
    const end = start + m[0].length;
    for (const part of foldText(m[0]).matchAll(RUN)) out.push({ token: part[0], start, end });
  }
  return out;
}
