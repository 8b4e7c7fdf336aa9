/**
 * The two platform objects the engine needs, typed by the slice it uses: shared/ compiles without
 * the DOM and Node libraries (STYLE.md item 1), yet TextDecoder and AbortSignal exist in every
 * runtime it runs in (browser worker, Node, Electron). Same approach as shared/encryption/webCrypto.ts.
 */
export interface TextDecoderSlice {
  decode(bytes?: Uint8Array, options?: { stream?: boolean }): string;
}

type TextDecoderConstructor = new (
  label?: string,
  options?: { fatal?: boolean; ignoreBOM?: boolean },
) => TextDecoderSlice;

/** A real AbortSignal satisfies this. */
export interface AbortSignalSlice {
  readonly aborted: boolean;
}

export function newTextDecoder(
  label: string,
  options?: { fatal?: boolean; ignoreBOM?: boolean },
): TextDecoderSlice {
  const ctor = (globalThis as unknown as { TextDecoder: TextDecoderConstructor }).TextDecoder;
  return new ctor(label, options);
}
