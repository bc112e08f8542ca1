/** Reads standard input to its end (`las transcribe -`, `las listen --input -`). */
export async function readStdin(stdin: AsyncIterable<unknown> = process.stdin): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}
