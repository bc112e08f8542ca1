import { ModelError } from '../errors.ts';
import { isRecord } from './bundleConfig.ts';

/**
 * The framing both LM files share (training/lm/build_char_lm.py's serialise): an 8-byte
 * signature, a uint32 header length, a JSON header, then the arrays from `headerEnd` (padded to
 * 4 bytes). Every error is MODEL_CORRUPT naming `path`.
 */
export interface LmFile {
  readonly header: Readonly<Record<string, unknown>>;
  /** Offset of the first byte after the header (the arrays start at the next multiple of 4). */
  readonly headerEnd: number;
  /** Throws MODEL_CORRUPT: "not a <what> file: <message>". */
  readonly corrupt: (message: string) => never;
  /** `value` if it is an integer >= min, else corrupt() naming header.<name>. */
  readonly count: (value: unknown, name: string, min: number) => number;
}

export function readLmFile(bytes: Uint8Array, path: string, magic: string, what: string): LmFile {
  const corrupt = (message: string): never => {
    throw new ModelError('MODEL_CORRUPT', `not a ${what} file: ${message}`, path);
  };
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== magic) corrupt(`no ${magic} signature`);
  const headLength = data.getUint32(8, true);
  if (12 + headLength > bytes.length) corrupt('header runs past the end');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headLength)));
  } catch {
    corrupt('header is not JSON');
  }
  if (!isRecord(header)) return corrupt('header is not an object');
  const count = (value: unknown, name: string, min: number) => (Number.isInteger(value) && (value as number) >= min ? (value as number) : corrupt(`header.${name} must be an integer >= ${min}`));
  return { header, headerEnd: 12 + headLength, corrupt, count };
}
