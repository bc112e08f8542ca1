import { LasError } from '../errors.ts';

/**
 * What travels through a batch stream: one input's value, or the typed error that ended it.
 *
 * Error policy for every batch operator in src/rx: a bad input (corrupt file, too short, NaN...)
 * ends that ITEM, never the stream. The operator turns the failure into a `Failed` item that
 * names the input, passes it downstream untouched, and the other inputs still complete. Only a
 * bug (an error that is not a LasError) or an error of the source itself ends the stream.
 */
export type Item<T> = Ok<T> | Failed;

export interface Ok<T> {
  readonly id: string;
  readonly ok: true;
  readonly value: T;
}

export interface Failed {
  readonly id: string;
  readonly ok: false;
  readonly error: LasError;
}

export const ok = <T>(id: string, value: T): Ok<T> => ({ id, ok: true, value });

export const failed = (id: string, error: LasError): Failed => ({ id, ok: false, error });

/** Applies `f` to an Ok item; a LasError thrown by `f` fails the item, any other error is rethrown. */
export function mapItem<A, B>(item: Item<A>, f: (value: A, id: string) => B): Item<B> {
  if (!item.ok) return item;
  try {
    return ok(item.id, f(item.value, item.id));
  } catch (err) {
    if (err instanceof LasError) return failed(item.id, err);
    throw err;
  }
}

/** Async variant of mapItem. */
export async function mapItemAsync<A, B>(item: Item<A>, f: (value: A, id: string) => Promise<B>): Promise<Item<B>> {
  if (!item.ok) return item;
  try {
    return ok(item.id, await f(item.value, item.id));
  } catch (err) {
    if (err instanceof LasError) return failed(item.id, err);
    throw err;
  }
}
