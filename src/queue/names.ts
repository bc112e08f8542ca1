import { ConfigError } from '../errors.ts';

/** The BullMQ queue `las queue` and `las worker` use unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'las-transcribe';

/** Where a queue is: its Redis (URL, see connection.ts) and its name there. */
export interface QueueTarget {
  readonly redis: string;
  /** Default DEFAULT_QUEUE_NAME. One queue per model bundle: a job does not say which model decodes it. */
  readonly queue?: string;
}

/** Letters, digits, '-' and '_': BullMQ builds its keys with ':' between the parts. */
export function validateQueueName(name: string | undefined): string {
  const queue = name ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(queue)) throw new ConfigError(`a queue name is 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(queue)}`, 'queue');
  return queue;
}

/** The queue's own keys beside BullMQ's: the result store and the running totals. */
export function storeKeys(queue: string): { readonly results: string; readonly stats: string } {
  return { results: `las:${queue}:results`, stats: `las:${queue}:stats` };
}
