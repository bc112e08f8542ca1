// The page: captures the microphone with an AudioWorklet, streams 16-bit PCM at the audio
// context's own rate over a WebSocket (the server resamples), and shows what comes back.
import { createTimeline } from './timeline.js';

const $ = (id) => document.getElementById(id);
const BLOCK_SECONDS = 0.05; // audio per WebSocket message

// Why an utterance ended, in words (the server sends the endpoint rule's name).
const REASONS = { rule1: 'no speech', rule2: 'pause', rule3: 'length limit', eos: 'end of sentence', end: 'end of audio', error: 'interrupted' };

// What the page has seen, for people reading the console and for the end-to-end test.
// `problem` is the error shown to the person, kept until the next Start; `micOn` says whether
// the microphone is being recorded.
const state = { status: 'idle', ready: null, partials: 0, partial: '', finals: [], errors: [], secondsSent: 0, done: false, problem: null, micOn: false };
window.lasState = state;

const timeline = createTimeline($('timeline'));
let session = null;

function setStatus(text, isError = false) {
  state.status = text;
  if (isError) state.problem = text;
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function addTranscriptLine(text, meta) {
  const li = document.createElement('li');
  li.textContent = text;
  const span = document.createElement('span');
  span.className = 'meta';
  span.textContent = meta;
  li.append(span);
  $('finals').append(li);
}

/** What a close of the connection the page did not ask for means, in words. */
function closeMessage(event, serverError) {
  if (serverError?.code === 'TOO_MANY_STREAMS') return `the server is busy (${serverError.message}); the microphone was switched off`;
  if (serverError !== undefined) return `the server ended the stream: ${serverError.message}`;
  if (event.code === 1001) return 'the server stopped (las serve was shut down); the text so far is kept';
  if (event.code === 1006) return 'the connection to the server was lost; the text so far is kept';
  return `the connection closed (code ${event.code}${event.reason ? `, ${event.reason}` : ''}); the text so far is kept`;
}

function toInt16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]));
    out[i] = x < 0 ? x * 32768 : x * 32767;
  }
  return out;
}

function onMessage(message) {
  switch (message.type) {
    case 'ready':
      state.ready = message;
      setStatus(`listening (${message.mode} attention, model ${message.model})`);
      if (message.mode === 'global') timeline.waiting(0);
      break;
    case 'partial':
      state.partials++;
      state.partial = message.text;
      $('partial').textContent = message.text;
      timeline.partial(message);
      break;
    case 'final': {
      state.finals.push(message);
      state.partial = '';
      $('partial').textContent = '';
      timeline.final(message);
      if (state.ready?.mode === 'global') timeline.waiting(message.end);
      // An utterance's audio can begin a few frames before the previous one's ended; shown from
      // where that one ended, the times of consecutive lines do not overlap.
      const shownStart = Math.max(message.start, state.lastEnd ?? 0);
      state.lastEnd = message.end;
      if (message.text !== '') addTranscriptLine(message.text, `${shownStart.toFixed(2)}-${message.end.toFixed(2)} s, ${REASONS[message.reason] ?? message.reason}`);
      break;
    }
    case 'error':
      state.errors.push(message);
      setStatus(`error: ${message.message}`, true);
      break;
    case 'done':
      state.done = true;
      break;
  }
}

/** Switches the microphone off and releases the audio graph (idempotent). */
async function releaseAudio(current) {
  if (current.capture) current.capture.port.onmessage = null;
  for (const track of current.media?.getTracks() ?? []) track.stop();
  if (current.context && current.context.state !== 'closed') await current.context.close();
  state.micOn = false;
}

/** The connection ended without the page asking: keep the text in progress, switch the microphone off, say why. */
async function onUnexpectedClose(current, event) {
  if (session === current) session = null;
  await releaseAudio(current);
  if (state.partial !== '') {
    addTranscriptLine(state.partial, 'interrupted: the connection ended before the utterance did');
    state.partial = '';
    $('partial').textContent = '';
  }
  setStatus(closeMessage(event, current.serverError), true);
  $('stop').disabled = true;
  $('start').disabled = false;
}

async function start() {
  $('start').disabled = true;
  Object.assign(state, { ready: null, partials: 0, partial: '', finals: [], errors: [], secondsSent: 0, done: false, problem: null, lastEnd: 0 });
  $('finals').replaceChildren();
  timeline.reset();
  setStatus('connecting');
  // The server first: when it is down, loading the worklet (served by it) would fail with a
  // message about a script, and the microphone would be opened for nothing.
  const current = { socket: null, media: null, context: null, capture: null, serverError: undefined, done: null, stopping: false };
  try {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/stream`);
    socket.binaryType = 'arraybuffer';
    current.socket = socket;
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`the server at ${location.host} is unreachable (is las serve running?)`));
    });
    current.done = new Promise((resolve) => {
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === 'error') current.serverError = message;
        onMessage(message);
        if (message.type === 'done') resolve();
      };
      socket.onclose = (event) => {
        if (!current.stopping && !state.done && event.code !== 1000) onUnexpectedClose(current, event).then(resolve, resolve);
        else resolve();
      };
    });
    setStatus('starting the microphone');
    current.media = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    if (socket.readyState !== WebSocket.OPEN) {
      // Refused (busy) or closed while the person was granting the microphone: its close
      // handler ran before there was a microphone to switch off, so do it here, never on.
      await releaseAudio(current);
      return;
    }
    state.micOn = true;
    const context = new AudioContext();
    current.context = context;
    await context.audioWorklet.addModule('pcm-worklet.js');
    if (socket.readyState !== WebSocket.OPEN) {
      // The server closed the connection while the microphone started (busy, or shut down).
      await releaseAudio(current);
      return;
    }
    socket.send(JSON.stringify({ type: 'start', sampleRate: context.sampleRate, format: 's16', mode: $('mode').value }));
    const media = current.media;

    const source = context.createMediaStreamSource(media);
    const capture = new AudioWorkletNode(context, 'pcm-capture', { processorOptions: { blockSize: Math.round(context.sampleRate * BLOCK_SECONDS) } });
    // The worklet must reach the destination to be run; a silent gain keeps it inaudible.
    const mute = new GainNode(context, { gain: 0 });
    source.connect(capture).connect(mute).connect(context.destination);
    capture.port.onmessage = (event) => {
      const samples = event.data;
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(toInt16(samples).buffer);
      state.secondsSent += samples.length / context.sampleRate;
      let sum = 0;
      for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
      timeline.level(state.secondsSent, samples.length / context.sampleRate, Math.sqrt(sum / samples.length));
    };
    current.capture = capture;
    session = current;
    $('stop').disabled = false;
  } catch (error) {
    await releaseAudio(current);
    if (current.socket?.readyState === WebSocket.OPEN) current.socket.close(1000);
    if (state.problem === null) setStatus(`cannot start: ${error.message}`, true);
    $('start').disabled = false;
  }
}

async function stop() {
  if (session === null) return;
  const current = session;
  session = null;
  $('stop').disabled = true;
  await releaseAudio(current);
  const { socket, done } = current;
  // An error already shown stays: Stop does not make it look as if all went well.
  if (state.problem === null) setStatus('finishing');
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'stop' }));
  await done;
  current.stopping = true;
  socket.close(1000);
  if (state.problem === null) setStatus('idle');
  $('start').disabled = false;
}

$('start').addEventListener('click', start);
$('stop').addEventListener('click', stop);
