import { expect } from 'vitest';
import type { DecodingOptions } from '../../src/decoding/index.ts';
import { loadModel, transcribe } from '../../src/offline/transcribe.ts';
import { TINY } from './runCli.ts';

/**
 * What the library's transcribe() gives for each file with the tiny bundle and `options`: the
 * text a CLI record must hold. The tiny bundle's random weights give text (never empty) for
 * the sample clips, so a record that comes back empty, or with another file's text, fails.
 */
export async function libraryTexts(files: readonly string[], options: Partial<DecodingOptions> = {}): Promise<string[]> {
  const model = await loadModel(TINY);
  try {
    const texts: string[] = [];
    for (const file of files) {
      const r = await transcribe(file, { model, ...options });
      expect(r.noSpeech, `${file} is marked noSpeech`).toBe(false);
      expect(r.text.length, `${file} gives no text`).toBeGreaterThan(0);
      texts.push(r.text);
    }
    return texts;
  } finally {
    await model.dispose();
  }
}
