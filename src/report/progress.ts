/** Where a progress bar draws: stderr, or a fake in tests. */
export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

export interface Progress {
  /** One more input done; `label` names it. */
  tick(label: string): void;
  /** Clears the bar so what follows starts on a clean line. */
  done(): void;
}

const BAR_WIDTH = 24;

/** The bar's text for `done` of `total` inputs; the label is cut to fit `columns`. */
export function renderProgress(done: number, total: number, label: string, columns = 80): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const head = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} `;
  const room = Math.max(0, columns - head.length - 1);
  return head + (label.length > room ? `...${label.slice(label.length - Math.max(0, room - 3))}` : label);
}

/**
 * A one-line progress bar redrawn in place, shown only when the sink is a terminal: piped or
 * redirected stderr (a log file, CI) gets nothing, so it never fills logs with carriage returns.
 */
export function createProgress(total: number, sink: ProgressSink): Progress {
  if (sink.isTTY !== true) return { tick: () => {}, done: () => {} };
  let count = 0;
  let drawn = false;
  return {
    tick(label) {
      count++;
      sink.write(`\r\x1b[2K${renderProgress(count, total, label, sink.columns ?? 80)}`);
      drawn = true;
    },
    done() {
      if (drawn) sink.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
