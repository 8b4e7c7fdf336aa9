import { newTextDecoder } from './platform.ts';

export type DelimitedParserKind = 'udsv' | 'papaparse';

export interface DelimitedParser {
  push(text: string): string[][];
  end(): string[][];
}

export function createDelimitedParser(options: {
  delimiter: string;
  kind?: DelimitedParserKind;
}): DelimitedParser {
  void options;
  return { push: () => [], end: () => [] };
}

export function createDecoder(encoding: string): {
  decode(chunk: Uint8Array): string;
  end(): string;
} {
  const decoder = newTextDecoder(encoding);
  return {
    decode: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}
