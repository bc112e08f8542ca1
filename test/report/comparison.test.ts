import { describe, expect, it } from 'vitest';
import { AudioError } from '../../src/errors.ts';
import { addUtterance, emptyComparison, finishComparison } from '../../src/report/comparison.ts';
import type { ModeResults } from '../../src/report/results.ts';
import { comparisonJson, comparisonMarkdown } from '../../src/report/comparisonMarkdown.ts';
import { comparisonPictures, REPORT_FILES } from '../../src/report/writeComparison.ts';
import { failed, ok, type Item } from '../../src/util/item.ts';
import { fakeResult } from './fakeResult.ts';

const both = (id: string, seconds: number, global: string, local: string, ms: [number, number], fpt: [number, number]): Item<ModeResults> =>
  ok(id, {
    model: 'fake',
    frameSeconds: 0.04,
    results: [
      fakeResult({ text: global, mode: 'global', seconds, totalMs: ms[0], framesPerToken: fpt[0], withAttention: true }),
      fakeResult({ text: local, mode: 'local', seconds, totalMs: ms[1], framesPerToken: fpt[1], withAttention: true }),
    ],
  });

function build() {
  const refs = new Map([
    ['short.wav', 'one two three four'],
    ['long.wav', 'the cat sat on the mat'],
  ]);
  const items: Item<ModeResults>[] = [
    both('short.wav', 2, 'one two three four', 'one two tree four', [200, 100], [50, 10]),
    both('long.wav', 10, 'the cat sat', 'the cat sat on the mat', [3000, 1000], [250, 10]),
    both('noref.wav', 4, 'hello', 'hello', [400, 400], [100, 10]),
    failed('bad.wav', new AudioError('NOT_WAV', 'no RIFF signature', 'bad.wav')),
  ];
  return finishComparison(items.reduce(addUtterance, emptyComparison(['global', 'local'], refs)));
}

describe('comparison numbers', () => {
  it('pools WER and S/D/I per mode over the utterances that have a reference', () => {
    const c = build();
    const [g, l] = c.summaries;
    expect(g.mode).toBe('global');
    expect(g.utterances).toBe(3);
    expect(g.scored).toBe(2);
    // global: 0 errors on short, 3 deletions on long; 10 reference words
    expect([g.S, g.D, g.I, g.N]).toEqual([0, 3, 0, 10]);
    expect(g.wer).toBeCloseTo(0.3, 10);
    // local: one substitution on short
    expect([l.S, l.D, l.I, l.N]).toEqual([1, 0, 0, 10]);
    expect(l.wer).toBeCloseTo(0.1, 10);
  });

  it('pools RTF as processing time over audio time, and weights frames per token by tokens', () => {
    const [g, l] = build().summaries;
    expect(g.rtf).toBeCloseTo((0.2 + 3 + 0.4) / 16, 10);
    expect(l.rtf).toBeCloseTo((0.1 + 1 + 0.4) / 16, 10);
    const tokens = [18, 11, 5]; // characters of the global hypotheses
    expect(g.framesAttendedPerToken).toBeCloseTo((50 * 18 + 250 * 11 + 100 * 5) / tokens.reduce((a, b) => a + b), 10);
    expect(l.framesAttendedPerToken).toBeCloseTo(10, 10);
  });

  it('keeps the attention of the longest utterance only, and lists failures', () => {
    const c = build();
    expect(c.alignment?.id).toBe('long.wav');
    expect(c.alignment?.matrices.map((m) => m.mode)).toEqual(['global', 'local']);
    expect(c.failed).toEqual([{ id: 'bad.wav', code: 'NOT_WAV', message: 'bad.wav: no RIFF signature' }]);
    expect(c.utterances.map((u) => u.id)).toEqual(['short.wav', 'long.wav', 'noref.wav']);
  });

  it('reports null rates, not zero, when nothing has a reference', () => {
    const c = finishComparison(addUtterance(emptyComparison(['global', 'local'], new Map()), both('x', 1, 'a', 'b', [1, 1], [1, 1])));
    expect(c.summaries.map((s) => [s.wer, s.cer])).toEqual([[null, null], [null, null]]);
    expect(comparisonPictures(c).has(REPORT_FILES.werVsDuration)).toBe(false);
    expect(comparisonMarkdown(c, {})).toContain('No WER plot');
  });
});

describe('report.md and report.json', () => {
  it('has a row per mode, links both pictures, and a row per utterance and mode', () => {
    const c = build();
    const md = comparisonMarkdown(c, { alignment: 'a.svg', werVsDuration: 'w.svg' });
    expect(md).toMatch(/^\| global \| 3 \| 30\.00% \| [\d.]+% \| 0 \/ 3 \/ 0 \| 10 \| [\d.]+ \| [\d.]+ \|$/m);
    expect(md).toMatch(/^\| local \| 3 \| 10\.00% \|/m);
    expect(md).toContain('![attention alignment per mode](a.svg)');
    expect(md).toContain('![WER against duration](w.svg)');
    expect(md).toContain('`long.wav` (10.0 s)');
    expect(md.match(/^\| (short|long|noref)\.wav \|/gm)).toHaveLength(6);
    expect(md).toMatch(/^- `bad\.wav` \(NOT_WAV\)/m);
  });

  it('writes the same numbers as JSON, without matrices', () => {
    const json = JSON.parse(comparisonJson(build(), { alignment: 'a.svg' }));
    expect(json.modes).toEqual(['global', 'local']);
    expect(json.summaries.map((s: { mode: string; wer: number }) => [s.mode, s.wer])).toEqual([['global', 0.3], ['local', 0.1]]);
    expect(json.utterances[1].runs[0]).toMatchObject({ mode: 'global', text: 'the cat sat', D: 3, N: 6 });
    expect(json.utterances[2].runs[0].wer).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('"data"');
    expect(json.pictures.alignmentUtterance).toBe('long.wav');
  });

  it('makes both pictures when there are references', () => {
    const pictures = comparisonPictures(build());
    expect([...pictures.keys()].sort()).toEqual([REPORT_FILES.alignment, REPORT_FILES.werVsDuration].sort());
    for (const svg of pictures.values()) expect(svg.startsWith('<svg')).toBe(true);
    expect(pictures.get(REPORT_FILES.alignment)).toContain('global attention (WER 50.0%)');
  });
});
