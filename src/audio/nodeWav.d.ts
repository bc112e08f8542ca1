/** node-wav 0.0.2 ships no types; only the decoder is used (see sampleDecode.ts for its defects). */
declare module 'node-wav' {
  interface Decoded {
    sampleRate: number;
    channelData: Float32Array[];
  }
  const nodeWav: {
    decode(buffer: ArrayBuffer): Decoded | undefined;
  };
  export default nodeWav;
}
