import { createEventJsonEncoder } from './eventJson.ts';
import type { StreamEvent } from './events.ts';

/** Where `las listen` writes: the shape of process.stdout it uses. */
export interface Terminal {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export type PrintStyle = 'json' | 'tty' | 'lines';

/**
 * Prints stream events for a person or a program:
 *  - json: every event as one JSON line (eventJson.ts: times to the ms, partials without the
 *    tokens already sent);
 *  - tty: the partial text rewritten in place on one line (its tail, if wider than the
 *    terminal), each final on its own line;
 *  - lines: only the final texts, one per line (output piped to a file or a program).
 * Error events go to `errors` as "las listen: message" in every style but json.
 */
export function createEventPrinter(out: Terminal, errors: Terminal, style: PrintStyle): { print(event: StreamEvent): void; end(): void } {
  const CLEAR_LINE = '\r\x1b[2K';
  const toJson = createEventJsonEncoder();
  let partialShown = false;
  const clear = () => {
    if (partialShown) out.write(CLEAR_LINE);
    partialShown = false;
  };
  return {
    print(event) {
      if (style === 'json') {
        out.write(toJson(event));
        return;
      }
      switch (event.type) {
        case 'partial': {
          if (style !== 'tty') return;
          const width = Math.max(10, (out.columns || 80) - 1); // a pty may report 0 columns
          const text = event.text.length > width ? `\u2026${event.text.slice(-(width - 1))}` : event.text;
          out.write(`${CLEAR_LINE}${text}`);
          partialShown = true;
          return;
        }
        case 'final':
          clear();
          if (event.text !== '') out.write(`${event.text}\n`);
          return;
        case 'error':
          clear();
          errors.write(`las listen: ${event.message}\n`);
          return;
        default: {
          const unreachable: never = event;
          throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
        }
      }
    },
    end: clear,
  };
}
