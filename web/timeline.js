// The live picture: the last few seconds of audio (level bars), the attention window of the
// next decoder step with its pointer, the characters at the audio they were read from, and
// the finished utterances. Times are seconds on the stream's clock (the audio sent so far).

const SPAN_SECONDS = 8;
const AXIS = 18; // pixels under the plot for the time axis

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

  /** Seconds along the bottom: a tick and a label every second (every 2 s when crowded). */
  function drawAxis(width, height) {
    const left = Math.max(0, now - SPAN_SECONDS);
    const step = width / SPAN_SECONDS < 60 ? 2 : 1;
    g.strokeStyle = '#cbd5e1';
    g.fillStyle = '#64748b';
    g.font = '11px system-ui, sans-serif';
    g.beginPath();
    g.moveTo(0, height - AXIS + 0.5);
    g.lineTo(width, height - AXIS + 0.5);
    for (let t = Math.ceil(left / step) * step; t <= left + SPAN_SECONDS; t += step) {
      g.moveTo(Math.round(x(t)) + 0.5, height - AXIS);
      g.lineTo(Math.round(x(t)) + 0.5, height - AXIS + 4);
      g.fillText(`${t} s`, x(t) + 2, height - 3);
    }
    g.stroke();
  }

  /** Text clipped to `maxWidth` pixels, with an ellipsis. */
  function fit(text, maxWidth) {
    if (g.measureText(text).width <= maxWidth) return text;
    let n = text.length;
    while (n > 0 && g.measureText(`${text.slice(0, n)}\u2026`).width > maxWidth) n--;
    return n === 0 ? '' : `${text.slice(0, n)}\u2026`;
  }

  function draw() {
    const { width } = canvas;
    const height = canvas.height - AXIS; // the plot; the time axis is below it
    const mid = height * 0.55;
    g.clearRect(0, 0, width, canvas.height);
    g.font = '12px system-ui, sans-serif';

    // Consecutive utterances can share a few frames at their boundary; each is drawn from where
    // the previous one ended, so the bands do not overlap.
    let previousEnd = -Infinity;
    for (const u of utterances) {
      const start = Math.max(u.start, previousEnd);
      previousEnd = u.end;
      if (x(u.end) < 0) continue;
      g.fillStyle = 'rgba(16, 185, 129, 0.18)';
      g.fillRect(x(start), 0, x(u.end) - x(start), height);
      g.fillStyle = '#047857';
      g.fillText(fit(u.text, Math.max(0, x(u.end) - Math.max(4, x(start) + 4) - 4)), Math.max(4, x(start) + 4), height - 6);
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

    // The characters read as text on one line: each at the time it was read from, or just right
    // of the one before when several come from (almost) the same frames. A tick below marks the
    // time a displaced character belongs to.
    g.font = '16px ui-monospace, monospace';
    const charWidth = g.measureText('m').width;
    let nextFree = -Infinity;
    for (const t of tokens) {
      const at = x(t.start);
      const drawn = Math.max(at, nextFree);
      nextFree = drawn + charWidth;
      if (drawn < -charWidth || drawn > width) continue;
      g.fillStyle = '#1d2430';
      g.fillText(t.token === ' ' ? '\u00b7' : t.token, drawn, mid - 12);
      g.fillStyle = '#475569';
      g.fillRect(Math.round(at), mid - 6, 1, 5);
    }
    drawAxis(width, canvas.height);
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
      // An utterance with no text (noise, the silence at the end) is not drawn as one.
      if (event.text !== '') utterances.push({ start: event.start, end: event.end, text: event.text });
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
