/**
 * A whole bundle container, parsed in memory into its parts in order. Both fuzzers look inside
 * containers this way (the app itself streams them, see electron/services/bundle/open.ts).
 * Throws what the parser throws on a malformed container.
 */
import { ContainerParser } from '../electron/services/bundle/container.ts';

export interface ContainerPart {
  readonly name: string;
  readonly data: Buffer;
}

export function containerParts(container: Buffer): ContainerPart[] {
  const parts: ContainerPart[] = [];
  let chunks: Buffer[] = [];
  let name = '';
  const parser = new ContainerParser({
    partStart(n) {
      name = n;
      chunks = [];
    },
    partData(data) {
      chunks.push(Buffer.from(data));
    },
    partEnd() {
      parts.push({ name, data: Buffer.concat(chunks) });
    },
  });
  parser.update(container);
  parser.final();
  return parts;
}
