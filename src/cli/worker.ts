import { parseArgs } from 'node:util';
import { dropClosedConnectionFlushes } from '../queue/closedFlush.ts';
import { MAX_CONCURRENCY } from '../rx/concurrency.ts';
import type { WorkerEvent } from '../queue/worker.ts';
import type { Command } from './command.ts';
import { DEFAULT_MODEL_DIR } from './defaultModel.ts';
import { integerFlag, sessionFlags, SESSION_FLAG_HELP, SESSION_FLAG_OPTIONS, usage, UsageError } from './flags.ts';

const HELP = `Usage: las worker [--redis URL] [options]

Takes transcription jobs from the queue ('las queue add') until stopped: loads the model once,
writes each result to the queue's result store ('las queue results'). A corrupt or unsupported
input fails its job at once with its error code; anything else is retried with backoff. SIGTERM
or Ctrl-C finishes the jobs in hand, then exits. A worker that dies mid-job loses nothing:
another worker takes the job once its lock lapses (--lock-duration-ms).

Options:
  --redis URL               redis://[user:password@]host:port[/db], rediss:// for TLS; default
                            $LAS_REDIS_URL (keeps a password out of the process list)
  --queue NAME              queue name (default las-transcribe)
  --concurrency N           jobs decoded at once in this process, on one model (default 1)
  --input-root DIR          a folder path jobs may read from (repeat for several); a job naming a
                            file outside every root fails with PATH_OUTSIDE_ROOTS. None: bytes
                            jobs only
  --model DIR               model bundle (default ${DEFAULT_MODEL_DIR})
${SESSION_FLAG_HELP}
  --name NAME               names this worker in results and logs (default host:pid)
  --lock-duration-ms N      a job's lock without renewal (default 30000)
  --stalled-interval-ms N   how often to look for jobs of dead workers (default 30000)
  --max-stalled N           times a job may be taken back from a dead worker (default 1)

Prints one line per job on stderr. Exit codes: 0 stopped, 1 Redis or the model failed, 2 bad usage.
`;

function describe(e: WorkerEvent): string {
  switch (e.type) {
    case 'ready':
      return `${e.worker} ready`;
    case 'started':
      return `started ${e.name} (job ${e.jobId}, attempt ${e.attempt})`;
    case 'done':
      return `done ${e.name} (job ${e.jobId}, ${e.audioSeconds.toFixed(2)} s of audio${e.stored ? '' : '; a result was already stored, kept'})`;
    case 'failed':
      return `failed ${e.name} (job ${e.jobId}): ${e.code}: ${e.message}${e.final ? '' : ' (will retry)'}`;
    case 'error':
      return `error: ${e.message}`;
    default: {
      const unreachable: never = e;
      return String(unreachable);
    }
  }
}

export const workerCommand: Command = {
  summary: 'take transcription jobs from the queue (las queue add) until stopped',
  help: HELP,
  async run(args) {
    dropClosedConnectionFlushes(); // BullMQ's closing can leave one unawaited (src/queue/closedFlush.ts)
    const parsed = usage('worker', () => {
      const { values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          redis: { type: 'string' },
          queue: { type: 'string' },
          concurrency: { type: 'string' },
          'input-root': { type: 'string', multiple: true },
          model: { type: 'string' },
          ...SESSION_FLAG_OPTIONS,
          name: { type: 'string' },
          'lock-duration-ms': { type: 'string' },
          'stalled-interval-ms': { type: 'string' },
          'max-stalled': { type: 'string' },
        },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
      const redis = values.redis ?? process.env.LAS_REDIS_URL;
      if (redis === undefined || redis === '') throw new UsageError('no Redis: give --redis URL or set LAS_REDIS_URL');
      const optional = <K extends string>(key: K, value: number | string | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, typeof value>));
      return {
        redis,
        ...optional('queue', values.queue),
        ...optional('concurrency', integerFlag('concurrency', values.concurrency, 1, MAX_CONCURRENCY)),
        inputRoots: values['input-root'] ?? [],
        model: values.model ?? DEFAULT_MODEL_DIR,
        sessionOptions: sessionFlags(values),
        ...optional('name', values.name),
        ...optional('lockDurationMs', integerFlag('lock-duration-ms', values['lock-duration-ms'], 1000, 3_600_000)),
        ...optional('stalledIntervalMs', integerFlag('stalled-interval-ms', values['stalled-interval-ms'], 100, 3_600_000)),
        ...optional('maxStalledCount', integerFlag('max-stalled', values['max-stalled'], 0, 100)),
      };
    });
    if (typeof parsed === 'number') return parsed;
    const { startWorker } = await import('../queue/worker.ts');
    const worker = await startWorker({ ...(parsed as Parameters<typeof startWorker>[0]), onEvent: (e) => process.stderr.write(`las worker: ${describe(e)}\n`) });
    await new Promise<void>((done) => {
      const stop = (signal: string) => {
        process.stderr.write(`las worker: ${signal}: finishing the jobs in hand\n`);
        worker.close().then(done, done);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    process.stderr.write('las worker: stopped\n');
    return 0;
  },
};
