// The page: captures the microphone with an AudioWorklet, streams 16-bit PCM at the audio
// context's own rate over a WebSocket (the server resamples), and shows what comes back.
import { createTimeline } from './timeline.js';

const $ = (id) => document.getElementById(id);
const BLOCK_SECONDS = 0.05; // audio per WebSocket message

// What the page has seen, for people reading the console and for the end-to-end test.
const state = { status: 'idle', ready: null, partials: 0, partial: '', finals: [], errors: [], secondsSent: 0, done: false };
window.lasState = state;

const timeline = createTimeline($('timeline'));
let session = null;

function setStatus(text, isError = false) {
  state.status = text;
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
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
      if (message.text !== '') {
        const li = document.createElement('li');
        li.textContent = message.text;
        const meta = document.createElement('span');
        meta.className = 'meta';
        meta.textContent = `${message.start.toFixed(2)}-${message.end.toFixed(2)} s, ${message.reason}`;
        li.append(meta);
        $('finals').append(li);
      }
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

async function start() {
  $('start').disabled = true;
  Object.assign(state, { ready: null, partials: 0, partial: '', finals: [], errors: [], secondsSent: 0, done: false });
  $('finals').replaceChildren();
  timeline.reset();
  setStatus('starting');
  try {
    const media = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    const context = new AudioContext();
    await context.audioWorklet.addModule('pcm-worklet.js');
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/stream`);
    socket.binaryType = 'arraybuffer';
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error('cannot connect to the server'));
    });
    const done = new Promise((resolve) => {
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        onMessage(message);
        if (message.type === 'done') resolve();
      };
      socket.onclose = (event) => {
        if (!state.done && event.code !== 1000) setStatus(`connection closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`, true);
        resolve();
      };
    });
    socket.send(JSON.stringify({ type: 'start', sampleRate: context.sampleRate, format: 's16', mode: $('mode').value }));

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
    session = { media, context, socket, capture, done };
    $('stop').disabled = false;
  } catch (error) {
    setStatus(`cannot start: ${error.message}`, true);
    $('start').disabled = false;
  }
}

async function stop() {
  if (session === null) return;
  const { media, context, socket, capture, done } = session;
  session = null;
  $('stop').disabled = true;
  capture.port.onmessage = null;
  for (const track of media.getTracks()) track.stop();
  await context.close();
  setStatus('finishing');
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'stop' }));
  await done;
  socket.close(1000);
  if (state.errors.length === 0) setStatus('idle');
  $('start').disabled = false;
}

$('start').addEventListener('click', start);
$('stop').addEventListener('click', stop);
