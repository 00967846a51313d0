declare module 'png-chunks-extract' {
  /** The chunks of a PNG, in file order (an independent reader for the tests). */
  export default function extractChunks(data: Uint8Array): { name: string; data: Uint8Array }[];
}
