import { performance } from 'node:perf_hooks';

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
  /** Clears the bar and prints one summary line of the run (on a terminal only, like the bar). */
  summary(run: RunSummary): void;
}

/** What a batch did, for its summary line. */
export interface RunSummary {
  readonly command: string;
  readonly files: number;
  readonly failed: number;
  /** Seconds of audio transcribed (the inputs that succeeded). */
  readonly audioSeconds: number;
}

const BAR_WIDTH = 24;

/** Seconds as a person reads them: "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * The bar's text for `done` of `total` inputs, with the time elapsed and, once one input is
 * done, the time left at the pace so far; the label is cut to fit `columns`.
 */
export function renderProgress(done: number, total: number, label: string, columns = 80, elapsedSeconds?: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  let head = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} `;
  if (elapsedSeconds !== undefined) {
    const left = done > 0 && done < total ? `, ${formatDuration((elapsedSeconds / done) * (total - done))} left` : '';
    head += `${formatDuration(elapsedSeconds)}${left} `;
  }
  const room = Math.max(0, columns - head.length - 1);
  return head + (label.length > room ? `...${label.slice(label.length - Math.max(0, room - 3))}` : label);
}

/** The last line of a batch: files, failures, hours of audio, wall time and the real-time factor. */
export function renderSummary(run: RunSummary, wallSeconds: number): string {
  const audio = run.audioSeconds >= 3600 ? `${(run.audioSeconds / 3600).toFixed(2)} h` : formatDuration(run.audioSeconds);
  const rtf = run.audioSeconds > 0 ? `, RTF ${(wallSeconds / run.audioSeconds).toPrecision(2)}` : '';
  return `${run.command}: ${run.files} file${run.files === 1 ? '' : 's'}, ${run.failed} failed, ${audio} of audio in ${formatDuration(wallSeconds)}${rtf}`;
}

/**
 * A one-line progress bar redrawn in place, shown only when the sink is a terminal: piped or
 * redirected stderr (a log file, CI) gets nothing, so it never fills logs with carriage returns.
 * `now` (milliseconds) is the clock, replaceable in tests.
 */
export function createProgress(total: number, sink: ProgressSink, now: () => number = () => performance.now()): Progress {
  if (sink.isTTY !== true) return { tick: () => {}, done: () => {}, summary: () => {} };
  const started = now();
  let count = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) sink.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    tick(label) {
      count++;
      sink.write(`\r\x1b[2K${renderProgress(count, total, label, sink.columns ?? 80, (now() - started) / 1000)}`);
      drawn = true;
    },
    done: clear,
    summary(run) {
      clear();
      sink.write(`${renderSummary(run, (now() - started) / 1000)}\n`);
    },
  };
}
