import { defer, finalize, from, switchMap, type Observable } from 'rxjs';
import { loadModel, type LoadedModel, type SessionOptions } from '../offline/transcribe.ts';

/** Registers a call that uses the model, so the model outlives it. */
export type TrackCall = <R>(call: Promise<R>) => Promise<R>;

/**
 * A model as a resource of one subscription: `model` is a bundle directory, loaded when the
 * returned observable is subscribed and released in `finalize` (on completion, error or
 * unsubscription), or a model the caller already owns, which is used and left open.
 *
 * Release waits for the ONNX calls still in flight (registered with `track`), because an
 * unsubscribed stream can leave one running and a session must not be released under it. A
 * model that fails to load ends the stream with its ModelError: with no model no item can go on.
 */
export function usingModel<T>(
  model: LoadedModel | string,
  sessionOptions: Partial<SessionOptions> | undefined,
  body: (model: LoadedModel, track: TrackCall) => Observable<T>,
): Observable<T> {
  return defer(() => {
    const owned = typeof model === 'string';
    const loading = owned ? loadModel(model, sessionOptions) : Promise.resolve(model);
    const inflight = new Set<Promise<unknown>>();
    const track: TrackCall = (call) => {
      inflight.add(call);
      const forget = () => inflight.delete(call);
      call.then(forget, forget);
      return call;
    };
    return from(loading).pipe(
      switchMap((loaded) => body(loaded, track)),
      finalize(() => {
        if (!owned) return;
        // A failed load has nothing to release; a failed release is not worth a crash after the results are out.
        loading.then(
          (loaded) => Promise.allSettled([...inflight]).then(() => loaded.dispose()).catch(() => undefined),
          () => undefined,
        );
      }),
    );
  });
}
