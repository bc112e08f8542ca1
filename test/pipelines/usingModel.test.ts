import { firstValueFrom, lastValueFrom, NEVER, of, Subject, throwError } from 'rxjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelError } from '../../src/errors.ts';

/** Fake models: loadModel is replaced so the lifetime can be watched without ONNX (usingModelSessions.test.ts uses the real bundle). */
const state = vi.hoisted(() => ({ loads: 0, disposed: [] as number[], gate: null as null | Promise<void>, fail: false }));
vi.mock('../../src/offline/transcribe.ts', () => ({
  loadModel: async (dir: string) => {
    const id = ++state.loads;
    if (state.gate) await state.gate;
    if (state.fail) throw new ModelError('MODEL_MISSING', 'model directory not found', dir);
    return { dir, id, dispose: async () => void state.disposed.push(id) };
  },
}));
const { usingModel } = await import('../../src/rx/usingModel.ts');

/** The fake load and release are promise chains only: one macrotask turn runs every step of them, no clock involved. */
const settle = () => new Promise((r) => setImmediate(r));

beforeEach(() => {
  state.loads = 0;
  state.disposed = [];
  state.gate = null;
  state.fail = false;
});

describe('usingModel', () => {
  it('loads a directory on subscribe and releases it when the stream completes', async () => {
    const stream = usingModel('m', undefined, (model) => of((model as unknown as { id: number }).id));
    expect(state.loads).toBe(0); // lazy
    expect(await lastValueFrom(stream)).toBe(1);
    await settle();
    expect(state.disposed).toEqual([1]);
  });

  it('releases on error and on unsubscription', async () => {
    await expect(lastValueFrom(usingModel('m', undefined, () => throwError(() => new Error('bug'))))).rejects.toThrow('bug');
    const sub = usingModel('m', undefined, () => NEVER).subscribe();
    await settle();
    sub.unsubscribe();
    await settle();
    expect(state.disposed.sort()).toEqual([1, 2]);
  });

  it('releases a model whose load finishes after the subscriber left', async () => {
    let open!: () => void;
    state.gate = new Promise((r) => (open = r));
    const sub = usingModel('m', undefined, () => NEVER).subscribe();
    sub.unsubscribe();
    open();
    await settle();
    expect(state.disposed).toEqual([1]);
  });

  it('never releases a model the caller owns', async () => {
    const dispose = vi.fn(async () => {});
    const owned = { dir: 'x', dispose } as never;
    expect(await firstValueFrom(usingModel(owned, undefined, (m) => of(m)))).toBe(owned);
    await settle();
    expect(dispose).not.toHaveBeenCalled();
    expect(state.loads).toBe(0);
  });

  it('ends the stream with the ModelError of a model that does not load', async () => {
    state.fail = true;
    const body = vi.fn(() => new Subject<number>());
    await expect(lastValueFrom(usingModel('gone', undefined, body))).rejects.toMatchObject({ code: 'MODEL_MISSING', input: 'gone' });
    expect(body).not.toHaveBeenCalled();
  });
});
