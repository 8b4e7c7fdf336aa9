/**
 * XML in and out for the graph formats, on fast-xml-parser. Namespace prefixes are dropped
 * (GEXF's `viz:position` reads as `position`), values stay text (no number guessing), and a
 * document type declaration is refused: the formats need none, and entity declarations are how
 * an XML file expands into gigabytes.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { InterchangeError } from './importError.ts';

/** A parsed element: attributes under "@_name", text under "#text", children by tag name. */
export type XmlElement = { readonly [key: string]: unknown };

export function parseXml(text: string, arrays: readonly string[]): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new InterchangeError('unreadable', 'XML with a document type declaration is not read');
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    isArray: (name) => arrays.includes(name),
  });
  try {
    return parser.parse(text, true) as XmlElement;
  } catch (error) {
    throw new InterchangeError(
      'unreadable',
      `not well-formed XML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export function buildXml(root: Record<string, unknown>): string {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(root) as string}`;
}

/** The children named `name` of an element (always a list). */
export function children(element: unknown, name: string): XmlElement[] {
  if (typeof element !== 'object' || element === null) return [];
  const value = (element as XmlElement)[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (item): item is XmlElement => typeof item === 'object' && item !== null,
  );
}

/** An attribute's text, or undefined. */
export function attribute(element: XmlElement, name: string): string | undefined {
  const value = element[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** An element's text content ("" when it has none, undefined when it holds elements). */
export function textOf(element: unknown): string | undefined {
  if (typeof element === 'string') return element;
  if (typeof element !== 'object' || element === null) return undefined;
  const keys = Object.keys(element).filter((key) => !key.startsWith('@_'));
  if (keys.length === 0) return '';
  if (keys.length === 1 && keys[0] === '#text') {
    const text = (element as XmlElement)['#text'];
    return typeof text === 'string' ? text : undefined;
  }
  return undefined;
}

/** The first `limit` characters without a BOM and leading white space, for sniffing. */
export function head(text: string, limit = 4096): string {
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, limit);
}
