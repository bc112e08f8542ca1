import { NEVER } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import type { EncoderOutput } from '../../src/model/index.ts';
import { usingModel } from '../../src/rx/usingModel.ts';
import type { LoadedModel } from '../../src/offline/transcribe.ts';
import { randomFeatures, TINY } from '../model/fixture.ts';

const DIM = 80;

/** The real tiny bundle: its ONNX sessions are what must not be released under a run. */
describe('usingModel with real ONNX sessions', () => {
  it('releases the sessions only after the run in flight at unsubscription has finished', async () => {
    const frames = 4000;
    const features = randomFeatures(frames * DIM, 7);
    let started!: (value: { model: LoadedModel; run: Promise<EncoderOutput> }) => void;
    const inBody = new Promise<{ model: LoadedModel; run: Promise<EncoderOutput> }>((r) => (started = r));
    const sub = usingModel(TINY, undefined, (model, track) => {
      started({ model, run: track(model.encoder.encode(features, frames)) });
      return NEVER;
    }).subscribe();
    const { model, run } = await inBody;
    sub.unsubscribe(); // the encoder run is still in flight
    const out = await run;
    expect(out.frames).toBe(frames / 4);
    expect(out.memory.every(Number.isFinite)).toBe(true);
    // Once the run is done the model is released: its sessions refuse further work.
    await vi.waitFor(() => expect(model.encoder.encode(features.subarray(0, 8 * DIM), 8)).rejects.toThrow());
  });
});
