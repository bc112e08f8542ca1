import type { DecoderSession, StepOutput, StepRow } from '../../src/decoding/index.ts';
import { CONTRACT_VOCAB } from '../../src/model/index.ts';

export const id = (ch: string): number => {
  const i = CONTRACT_VOCAB.indexOf(ch);
  if (i < 0) throw new Error(`no token ${ch}`);
  return i;
};

/** A next-token distribution for a prefix of token ids (<sos> excluded), as token -> probability. */
export type Script = (prefix: readonly number[]) => ReadonlyMap<number, number>;

export interface ScriptedSession extends DecoderSession {
  readonly calls: StepRow[][];
}

/**
 * A DecoderSession driven by a script instead of a network: each row's "recurrent state" is
 * its token prefix, carried through `parent` exactly like h/c are. The attention of a row
 * peaks at frame `peakOf(prefix.length)` (clipped into its window), so alignments are known.
 */
export function scriptedSession(script: Script, encoderFrames: number, peakOf: (position: number) => number = (p) => 2 * p): ScriptedSession {
  const vocabSize = CONTRACT_VOCAB.length;
  let previous: (readonly number[])[] = [];
  const calls: StepRow[][] = [];
  return {
    vocabSize,
    encoderFrames,
    calls,
    async step(rows: readonly StepRow[]): Promise<StepOutput> {
      calls.push(rows.map((r) => ({ ...r })));
      const width = Math.max(...rows.map((r) => r.window.end - r.window.start));
      const logits = new Float32Array(rows.length * vocabSize).fill(-30); // [B, V]
      const attn = new Float32Array(rows.length * width); // [B, W]
      const prefixes = rows.map((r) => {
        if (r.parent < 0) return [];
        const base = previous[r.parent];
        if (base === undefined) throw new Error(`bad parent ${r.parent}`);
        return r.token === 1 ? [...base] : [...base, r.token];
      });
      prefixes.forEach((prefix, b) => {
        for (const [token, p] of script(prefix)) logits[b * vocabSize + token] = Math.log(p);
        const { start, end } = rows[b].window;
        const peak = Math.min(Math.max(peakOf(prefix.length), start), end - 1);
        attn[b * width + (peak - start)] = 1;
      });
      previous = prefixes;
      return { logits, attn, width };
    },
  };
}

/** Spells `text` (one character per step), then <eos>. */
export function spell(text: string): Script {
  const ids = [...text].map(id);
  return (prefix) => {
    const next = prefix.length < ids.length ? ids[prefix.length] : 2;
    // Some mass elsewhere so the search has alternatives to reject.
    return new Map([
      [next, 0.7],
      [next === 2 ? id('q') : 2, 0.2],
      [id('z') === next ? id('x') : id('z'), 0.1],
    ]);
  };
}
