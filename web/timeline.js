// The live picture: the last few seconds of audio (level bars), the attention window of the
// next decoder step with its pointer, the characters at the audio they were read from, and
// the finished utterances. Times are seconds on the stream's clock (the audio sent so far).

const SPAN_SECONDS = 8;

export function createTimeline(canvas) {
  const g = canvas.getContext('2d');
  const levels = []; // { time, rms }
  const utterances = []; // { start, end, text }
  let window_ = null; // { start, end, pointer }
  let tokens = [];
  let now = 0;
  let waitingSince = null; // global mode: the utterance being heard, not decoded yet

  function x(time) {
    const left = Math.max(0, now - SPAN_SECONDS);
    return ((time - left) / SPAN_SECONDS) * canvas.width;
  }

  function draw() {
    const { width, height } = canvas;
    const mid = height * 0.55;
    g.clearRect(0, 0, width, height);
    g.font = '12px system-ui, sans-serif';

    for (const u of utterances) {
      if (x(u.end) < 0) continue;
      g.fillStyle = 'rgba(16, 185, 129, 0.18)';
      g.fillRect(x(u.start), 0, x(u.end) - x(u.start), height);
      g.fillStyle = '#047857';
      g.fillText(u.text.length > 60 ? `${u.text.slice(0, 60)}\u2026` : u.text, Math.max(4, x(u.start) + 4), height - 6);
    }
    if (waitingSince !== null) {
      g.fillStyle = 'rgba(100, 116, 139, 0.12)';
      g.fillRect(x(waitingSince), 0, x(now) - x(waitingSince), height);
      g.fillStyle = '#64748b';
      g.fillText('global attention: waiting for the end of the utterance', Math.max(4, x(waitingSince) + 4), 14);
    }

    g.fillStyle = '#94a3b8';
    for (const { time, duration, rms } of levels) {
      if (x(time + duration) < 0) continue;
      const h = Math.min(1, rms * 4) * (height - mid);
      g.fillRect(x(time), mid, Math.max(1, x(time + duration) - x(time) - 1), h);
    }

    if (window_ !== null) {
      g.fillStyle = 'rgba(37, 99, 235, 0.2)';
      g.strokeStyle = '#2563eb';
      const left = x(window_.start);
      const right = x(window_.end);
      g.fillRect(left, 0, right - left, height);
      g.strokeRect(left, 0.5, right - left, height - 1);
      g.strokeStyle = '#dc2626';
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(x(window_.pointer), 0);
      g.lineTo(x(window_.pointer), height);
      g.stroke();
      g.lineWidth = 1;
    }

    g.fillStyle = '#1d2430';
    g.font = '16px ui-monospace, monospace';
    // Characters read from (almost) the same frame are stacked rather than overprinted.
    let lastX = -Infinity;
    let row = 0;
    for (const t of tokens) {
      const at = x(t.start);
      row = at - lastX < 10 ? (row + 1) % 6 : 0;
      lastX = at;
      if (at >= -10) g.fillText(t.token === ' ' ? '\u2423' : t.token, at, mid - 10 - row * 16);
    }
    requestAnimationFrame(draw);
  }
  requestAnimationFrame(draw);

  return {
    /** A block of captured audio, `duration` seconds long, ending at `time`. */
    level(time, duration, rms) {
      now = Math.max(now, time);
      levels.push({ time: time - duration, duration, rms });
      while (levels.length > 0 && levels[0].time < now - SPAN_SECONDS - 1) levels.shift();
    },
    partial(event) {
      window_ = event.window;
      tokens = event.tokens;
    },
    final(event) {
      utterances.push({ start: event.start, end: event.end, text: event.text });
      if (utterances.length > 50) utterances.shift();
      window_ = null;
      tokens = event.tokens;
      waitingSince = null;
    },
    waiting(since) {
      waitingSince = since;
    },
    reset() {
      levels.length = 0;
      utterances.length = 0;
      window_ = null;
      tokens = [];
      now = 0;
      waitingSince = null;
    },
  };
}
