/**
 * Graph readers: GraphML (the subset NetworkX's `write_graphml` produces, which is what most tools
 * emit) and CSV edge lists.
 *
 * GraphML is read by a small tag scanner rather than a full XML parser: it understands elements,
 * attributes, character/entity references, comments, CDATA, processing instructions and DOCTYPE,
 * which covers GraphML, and ignores namespaces by dropping prefixes. `<key>` declarations map
 * `<data key=…>` children to attribute names; an edge attribute called "weight" (with its
 * `<default>`) becomes the edge weight. Nested graphs are flattened.
 *
 * CSV: one edge per line as `source,target[,weight]`; comma, tab or semicolon separated (sniffed
 * from the first line, falling back to runs of spaces as in `nx.write_weighted_edgelist`);
 * RFC 4180 quotes within a line; blank lines and lines starting with `#`
 * are skipped. The first line is taken as a header when it names the columns (source/target,
 * from/to, …) or its weight column is not a number; with a header, a column called "weight" is
 * used wherever it stands.
 */
import type { EdgeInput, GraphInput } from './graph.ts';

export type GraphFormat = 'graphml' | 'csv';

/** Chooses the format by file extension, else by content (GraphML starts with `<`). */
export function detectFormat(text: string, fileName?: string): GraphFormat {
  const extension = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (extension === 'graphml' || extension === 'xml') return 'graphml';
  if (extension === 'csv' || extension === 'tsv') return 'csv';
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('<')
    ? 'graphml'
    : 'csv';
}

export function parseGraph(
  text: string,
  options: { fileName?: string; directed?: boolean } = {},
): GraphInput {
  return detectFormat(text, options.fileName) === 'graphml'
    ? parseGraphML(text)
    : parseCsvEdges(text, { directed: options.directed });
}

interface KeyDeclaration {
  id: string;
  domain: string;
  name: string;
  defaultValue?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    attributes[match[1]!] = decodeEntities(match[2] ?? match[3] ?? '');
  }
  return attributes;
}

function localName(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Reads GraphML into a graph input; throws with a line number on malformed markup. */
export function parseGraphML(text: string): GraphInput {
  const keys = new Map<string, KeyDeclaration>();
  const nodes: string[] = [];
  const edges: (EdgeInput & { weightText?: string })[] = [];
  let directed: boolean | undefined;
  const stack: string[] = [];
  let currentKey: KeyDeclaration | null = null;
  let currentEdge: (EdgeInput & { weightText?: string }) | null = null;
  let dataKey: string | null = null;
  let textBuffer = '';
  let sawGraphml = false;

  const openElement = (name: string, attributes: Record<string, string>, position: number) => {
    switch (name) {
      case 'graphml':
        sawGraphml = true;
        break;
      case 'key': {
        const id = attributes.id;
        if (!id) throw new Error(`GraphML line ${lineAt(text, position)}: <key> without id`);
        currentKey = {
          id,
          domain: attributes.for ?? 'all',
          name: attributes['attr.name'] ?? id,
        };
        keys.set(id, currentKey);
        break;
      }
      case 'default':
      case 'data':
        dataKey = name === 'data' ? (attributes.key ?? '') : null;
        textBuffer = '';
        break;
      case 'graph':
        if (directed === undefined) directed = attributes.edgedefault === 'directed';
        break;
      case 'node': {
        const id = attributes.id;
        if (id === undefined) {
          throw new Error(`GraphML line ${lineAt(text, position)}: <node> without id`);
        }
        nodes.push(id);
        break;
      }
      case 'edge': {
        const { source, target } = attributes;
        if (source === undefined || target === undefined) {
          throw new Error(`GraphML line ${lineAt(text, position)}: <edge> without source/target`);
        }
        currentEdge = { source, target };
        edges.push(currentEdge);
        break;
      }
      default:
        break;
    }
  };

  const closeElement = (name: string) => {
    if (name === 'key') currentKey = null;
    else if (name === 'edge') currentEdge = null;
    else if (name === 'default' && currentKey) currentKey.defaultValue = textBuffer;
    else if (name === 'data') {
      if (currentEdge && dataKey !== null) {
        const key = keys.get(dataKey);
        if (key && isWeightKey(key)) currentEdge.weightText = textBuffer;
      }
      dataKey = null;
    }
  };

  let position = 0;
  const length = text.length;
  while (position < length) {
    const open = text.indexOf('<', position);
    const chunkEnd = open === -1 ? length : open;
    if (chunkEnd > position) textBuffer += decodeEntities(text.slice(position, chunkEnd));
    if (open === -1) break;
    if (text.startsWith('<!--', open)) {
      position = skipPast(text, open, '-->');
    } else if (text.startsWith('<![CDATA[', open)) {
      const end = text.indexOf(']]>', open);
      if (end === -1) throw new Error(`GraphML line ${lineAt(text, open)}: unterminated CDATA`);
      textBuffer += text.slice(open + 9, end);
      position = end + 3;
    } else if (text.startsWith('<?', open)) {
      position = skipPast(text, open, '?>');
    } else if (text.startsWith('<!', open)) {
      position = skipPast(text, open, '>');
    } else {
      const close = findTagEnd(text, open);
      if (close === -1) throw new Error(`GraphML line ${lineAt(text, open)}: unterminated tag`);
      const body = text.slice(open + 1, close);
      position = close + 1;
      if (body.startsWith('/')) {
        const name = localName(body.slice(1).trim());
        const expected = stack.pop();
        if (expected !== name) {
          throw new Error(
            `GraphML line ${lineAt(text, open)}: </${name}> does not close <${expected ?? ''}>`,
          );
        }
        closeElement(name);
      } else {
        const selfClosing = body.endsWith('/');
        const inner = selfClosing ? body.slice(0, -1) : body;
        const nameEnd = inner.search(/[\s]|$/);
        const name = localName(inner.slice(0, nameEnd));
        if (!name) throw new Error(`GraphML line ${lineAt(text, open)}: empty tag`);
        openElement(name, parseAttributes(inner.slice(nameEnd)), open);
        if (selfClosing) closeElement(name);
        else stack.push(name);
      }
    }
  }
  if (stack.length > 0) throw new Error(`GraphML: <${stack.at(-1)!}> is never closed`);
  if (!sawGraphml) throw new Error('not a GraphML document (no <graphml> element)');

  const weightKey = [...keys.values()].find(isWeightKey);
  const fallback = weightKey?.defaultValue;
  const result: EdgeInput[] = edges.map((edge) => {
    const raw = edge.weightText ?? fallback;
    if (raw === undefined) return { source: edge.source, target: edge.target };
    const weight = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(weight)) {
      throw new Error(`GraphML: edge ${edge.source} → ${edge.target} has weight '${raw}'`);
    }
    return { source: edge.source, target: edge.target, weight };
  });
  return { nodes, edges: result, directed: directed ?? false };
}

function isWeightKey(key: KeyDeclaration): boolean {
  return (key.domain === 'edge' || key.domain === 'all') && key.name.toLowerCase() === 'weight';
}

function skipPast(text: string, from: number, terminator: string): number {
  const end = text.indexOf(terminator, from);
  if (end === -1) throw new Error(`GraphML line ${lineAt(text, from)}: unterminated markup`);
  return end + terminator.length;
}

/** Position of the `>` ending the tag opened at `open`, skipping quoted attribute values. */
function findTagEnd(text: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    }
  }
  return -1;
}

const SOURCE_NAMES = new Set(['source', 'from', 'src', 'start', 'node1', 'u', 'id1']);
const TARGET_NAMES = new Set(['target', 'to', 'dst', 'end', 'node2', 'v', 'id2']);

export interface CsvOptions {
  directed?: boolean;
  /** Force (true) or forbid (false) a header line; sniffed when omitted. */
  header?: boolean;
}

/** Reads a CSV edge list; throws with a line number on rows it cannot use. */
export function parseCsvEdges(text: string, options: CsvOptions = {}): GraphInput {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const rows: { line: number; fields: string[] }[] = [];
  let delimiter: string | null = null;
  lines.forEach((raw, index) => {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    delimiter ??= raw.includes(',')
      ? ','
      : raw.includes('\t')
        ? '\t'
        : raw.includes(';')
          ? ';'
          : ' ';
    const fields =
      delimiter === ' ' ? raw.trim().split(/\s+/) : splitCsvLine(raw, delimiter, index + 1);
    rows.push({ line: index + 1, fields });
  });
  let sourceColumn = 0;
  let targetColumn = 1;
  let weightColumn = 2;
  const first = rows[0];
  if (first) {
    const names = first.fields.map((field) => field.trim().toLowerCase());
    const named = SOURCE_NAMES.has(names[0] ?? '') && TARGET_NAMES.has(names[1] ?? '');
    const weightIsText = names.length > 2 && names[2] !== '' && !isNumeric(names[2]!);
    if (options.header ?? (named || weightIsText || names.includes('weight'))) {
      rows.shift();
      const weightAt = names.indexOf('weight');
      if (weightAt >= 0) weightColumn = weightAt;
      const sourceAt = names.findIndex((name) => SOURCE_NAMES.has(name));
      const targetAt = names.findIndex((name) => TARGET_NAMES.has(name));
      if (sourceAt >= 0 && targetAt >= 0 && sourceAt !== targetAt) {
        sourceColumn = sourceAt;
        targetColumn = targetAt;
      }
    }
  }
  const edges: EdgeInput[] = rows.map(({ line, fields }) => {
    const source = fields[sourceColumn]?.trim() ?? '';
    const target = fields[targetColumn]?.trim() ?? '';
    if (source === '' || target === '') {
      throw new Error(`CSV line ${line}: expected source and target`);
    }
    const weightText = fields[weightColumn]?.trim() ?? '';
    if (weightText === '') return { source, target };
    if (!isNumeric(weightText)) {
      throw new Error(`CSV line ${line}: weight '${weightText}' is not a number`);
    }
    return { source, target, weight: Number(weightText) };
  });
  return { edges, directed: options.directed === true };
}

function isNumeric(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

function splitCsvLine(line: string, delimiter: string, lineNumber: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error(`CSV line ${lineNumber}: unterminated quote`);
  fields.push(field);
  return fields;
}
