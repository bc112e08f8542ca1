import { parseArgs } from 'node:util';
import { RECORDER_NAMES } from '../audio/recorders.ts';
import { DEFAULT_ENDPOINT_OPTIONS, type EndpointOptions } from '../streaming/endpoint.ts';
import { DEFAULT_STREAMING_OPTIONS, MAX_CHUNK_FRAMES, validateStreamingOptions, type StreamingOptionsInput } from '../streaming/options.ts';
import { PARTIAL_SOURCES } from '../streaming/partialSource.ts';
import type { Command } from './command.ts';
import { DEFAULT_MODEL_DIR } from './defaultModel.ts';
import { DEFAULT_DECODING_OPTIONS } from '../decoding/options.ts';
import { CONTRACT_SUBSAMPLING } from '../model/bundleFacts.ts';
import { decodingFlagFields, DECODING_FLAG_OPTIONS } from './decodingFlags.ts';
import { choiceFlag, integerFlag, usage, UsageError } from './flags.ts';
import { readStdin } from './stdin.ts';

const HELP = `Usage: las listen [options]

Recognises speech from the microphone while you speak. On a terminal the partial text is
rewritten on one line and each finished utterance stays on its own line; piped, only the
finished utterances are printed. Ctrl+C stops the recording and prints the last utterance.

Options:
  --attention local|global  local (default): characters appear as soon as the attention window
                            (pointer + right context) has been heard; global: each utterance
                            is decoded when it ends (higher latency, whole-utterance context)
  --recorder arecord|sox|ffmpeg
                            the recording program (default: the first one installed)
  --device NAME             capture device, e.g. hw:1,0 (default: the system's)
  --input FILE.wav          read a WAV file instead of the microphone ('-': a WAV on stdin,
                            read to its end first), as fast as possible...
  --realtime                ...or, with this, at the pace of a live recording
  --json                    one JSON event per line: partial, final and error events
  --model DIR               model bundle (default ${DEFAULT_MODEL_DIR})
  --chunk N                 feature frames (10 ms) per encoder call, a multiple of ${CONTRACT_SUBSAMPLING} (default ${DEFAULT_STREAMING_OPTIONS.chunkFrames})
  --left N, --right N       local window in encoder frames (40 ms) (default: the model's)
  --beam N                  beam width of each utterance's final decode (default ${DEFAULT_STREAMING_OPTIONS.beam}, as
                            las transcribe; decoded once the utterance has ended, so a wider beam
                            delays only the final, never the partial text)
  --ctc-weight X            weight of the CTC head in each final's joint CTC/attention decode, 0..1
                            (default ${DEFAULT_DECODING_OPTIONS.ctcWeight}; 0 = attention decoder only)
  --lm-weight X             weight of the model's language model in each final's decode
                            (shallow fusion; default: the model's own, config.json lm.weight;
                            0 = off). Partial text never uses the LM or the joint search
  --word-lm-weight X        weight of the model's word language model in each final's decode,
                            scored at each word's end beside the character LM, 0..10
                            (default: the model's own, config.json lm.word.weight; 0 = off)
  --partials attention|triggered|ctc
                            where local-mode partial text comes from (default ${DEFAULT_STREAMING_OPTIONS.partialSource}):
                            attention: the greedy attention decoder, each character once its
                            window (pointer + right context) has been heard; triggered: those,
                            then at once an attention step over the audio so far for each
                            character the CTC head has heard past the pointer, replaced by the
                            decoder's own when its window arrives; ctc: the CTC head's greedy
                            transcript, never revised. Finals are the same
  --timestamps ctc|attention
                            where each final's token times come from, as for las transcribe
                            (default ${DEFAULT_STREAMING_OPTIONS.timestamps}: the CTC head's forced alignment of the text;
                            attention: each step's attention peak). Partials keep their own
  --rule1 S                 end an utterance with no speech after S s of silence (default ${DEFAULT_ENDPOINT_OPTIONS.silenceWithoutContent})
  --rule2 S                 end an utterance after S s of silence following speech (default ${DEFAULT_ENDPOINT_OPTIONS.silenceAfterContent})
  --rule3 S                 end any utterance at S s long (default ${DEFAULT_ENDPOINT_OPTIONS.maxUtterance})
  --min-utterance S         speech shorter than this is noise, not an utterance (default ${DEFAULT_ENDPOINT_OPTIONS.minUtterance})
  --leading-silence S       an utterance starts S s before its first speech, not with the
                            whole pause before it (default ${DEFAULT_ENDPOINT_OPTIONS.leadingSilence}; "off" keeps the pause)
                            (rule values: "off" switches the rule off)

Exit codes: 0 done, 1 the recorder or the model failed, 2 bad usage.
`;

interface Parsed {
  readonly model: string;
  readonly json: boolean;
  readonly recognition: StreamingOptionsInput;
  readonly input: string | undefined;
  readonly realtime: boolean;
  readonly recorder: (typeof RECORDER_NAMES)[number] | undefined;
  readonly device: string | undefined;
}

/** `--name S`: seconds >= 0 ("off": Infinity), or undefined when absent. */
function secondsFlag(name: string, value: string | undefined, allowOff: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (allowOff && value === 'off') return Number.POSITIVE_INFINITY;
  const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(Number.isFinite(n) && n >= 0)) throw new UsageError(`--${name} must be a number of seconds${allowOff ? ' or "off"' : ''}, got ${JSON.stringify(value)}`);
  return n;
}

function parse(args: readonly string[]): Parsed {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...DECODING_FLAG_OPTIONS,
      recorder: { type: 'string' },
      device: { type: 'string' },
      input: { type: 'string' },
      realtime: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      model: { type: 'string' },
      chunk: { type: 'string' },
      partials: { type: 'string' },
      rule1: { type: 'string' },
      rule2: { type: 'string' },
      rule3: { type: 'string' },
      'min-utterance': { type: 'string' },
      'leading-silence': { type: 'string' },
    },
  });
  const decoding = decodingFlagFields(values, 'local');
  const chunkFrames = integerFlag('chunk', values.chunk, CONTRACT_SUBSAMPLING, MAX_CHUNK_FRAMES);
  // Checked against the contract's subsampling before the model loads; the recognizer checks the bundle's own.
  if (chunkFrames !== undefined && chunkFrames % CONTRACT_SUBSAMPLING !== 0) throw new UsageError(`--chunk must be a multiple of ${CONTRACT_SUBSAMPLING} feature frames, got ${chunkFrames}`);
  if (values.input === undefined && values.realtime) throw new UsageError('--realtime paces a file: add --input FILE.wav');
  if (values.input !== undefined && (values.recorder !== undefined || values.device !== undefined)) throw new UsageError('--recorder and --device choose the microphone; they do not apply to --input');
  const endpoint: Partial<EndpointOptions> = {
    silenceWithoutContent: secondsFlag('rule1', values.rule1, true),
    silenceAfterContent: secondsFlag('rule2', values.rule2, true),
    maxUtterance: secondsFlag('rule3', values.rule3, true),
    minUtterance: secondsFlag('min-utterance', values['min-utterance'], false),
    leadingSilence: secondsFlag('leading-silence', values['leading-silence'], true),
  };
  const recognition: StreamingOptionsInput = {
    ...decoding,
    chunkFrames,
    partialSource: choiceFlag('partials', values.partials, PARTIAL_SOURCES),
    endpoint,
    input: values.input === '-' ? '<stdin>' : (values.input ?? '<microphone>'),
  };
  validateStreamingOptions(recognition);
  return {
    model: values.model ?? DEFAULT_MODEL_DIR,
    json: values.json,
    recognition,
    input: values.input,
    realtime: values.realtime,
    recorder: choiceFlag('recorder', values.recorder, RECORDER_NAMES),
    device: values.device,
  };
}

/**
 * Writes after the reader of stdout has gone fail with EPIPE, asynchronously: not an error here.
 * Any other write error (EIO, ENOSPC) is kept and reported once the recording has ended: a
 * throw from inside an event listener would be uncaught and kill the process mid-sentence.
 */
let outputGuarded = false;
let outputError: NodeJS.ErrnoException | undefined;
function ignoreClosedOutput(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') outputError ??= error;
  });
}

export const listenCommand: Command = {
  summary: 'recognise the microphone (or a WAV file played live) while it is spoken',
  help: HELP,
  async run(args) {
    const parsed = usage('listen', () => parse(args));
    if (typeof parsed === 'number') return parsed;
    const [{ fromEvent, lastValueFrom, merge, take, tap, defaultIfEmpty }, { loadModel }, { streamMicrophone }, { createEventPrinter }] = await Promise.all([
      import('rxjs'),
      import('../offline/transcribe.ts'),
      import('../../pipelines/stream-microphone.ts'),
      import('../streaming/printer.ts'),
    ]);
    const model = await loadModel(parsed.model);
    const printer = createEventPrinter(process.stdout, process.stderr, parsed.json ? 'json' : process.stdout.isTTY ? 'tty' : 'lines');
    // The first Ctrl+C ends the recording gracefully; a second one quits at once.
    const interrupted = fromEvent(process, 'SIGINT').pipe(take(1));
    const onSecondInterrupt = () => process.exit(130);
    const armSecond = interrupted.subscribe(() => process.on('SIGINT', onSecondInterrupt));
    // A reader that goes away (\`las listen | head\`) ends the recording too, without a crash.
    ignoreClosedOutput();
    outputError = undefined;
    const outputClosed = fromEvent(process.stdout, 'error').pipe(take(1));
    let failed = false;
    try {
      const source =
        parsed.input === '-'
          ? ({ kind: 'bytes', bytes: await readStdin(), input: '<stdin>', realtime: parsed.realtime } as const)
          : parsed.input !== undefined
          ? ({ kind: 'file', path: parsed.input, realtime: parsed.realtime } as const)
          : ({ kind: 'microphone', microphone: { ...(parsed.recorder !== undefined ? { recorder: parsed.recorder } : {}), ...(parsed.device !== undefined ? { device: parsed.device } : {}) } } as const);
      const events = streamMicrophone(model, source, parsed.recognition, merge(interrupted, outputClosed));
      await lastValueFrom(
        events.pipe(
          tap((event) => {
            if (event.type === 'error') failed = true;
            printer.print(event);
          }),
          defaultIfEmpty(undefined),
        ),
      );
    } finally {
      printer.end();
      armSecond.unsubscribe();
      process.off('SIGINT', onSecondInterrupt);
      await model.dispose();
    }
    // Set by the stdout listener while the recording ran (TypeScript cannot see that).
    const writeError = outputError as NodeJS.ErrnoException | undefined;
    if (writeError !== undefined) {
      process.stderr.write(`las listen: cannot write the output (${writeError.code ?? writeError.message}); recording stopped\n`);
      return 1;
    }
    return failed ? 1 : 0;
  },
};
