// The few runtime globals src/shared uses that both Node and browsers provide, declared here so the
// shared tsconfig can leave out both the DOM and Node typings.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
