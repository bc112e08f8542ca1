import FFT from 'fft.js';

/**
 * Power spectrum |X[k]|^2, k = 0..n/2, of a real frame of length n (a power of two >= 4).
 *
 * Why not fft.js's realTransform: packing the real frame as n/2 complex values
 * z[j] = x[2j] + i x[2j+1] and running one half-size complex FFT, then separating the even
 * and odd halves, is about twice as fast, and the front end's throughput is dominated by
 * the FFT. The interleaved re/im layout fft.js uses is exactly a real frame in order, so the
 * frame needs no copying.
 *
 * With Z = FFT_{n/2}(z) and Z[n/2] = Z[0]:
 *   E[k] = (Z[k] + conj Z[n/2 - k]) / 2          (spectrum of the even samples)
 *   O[k] = (Z[k] - conj Z[n/2 - k]) / (2i)       (spectrum of the odd samples)
 *   X[k] = E[k] + exp(-2 pi i k / n) O[k]
 */
export type PowerSpectrum = (frame: Float64Array, power: Float64Array) => void;

export function createPowerSpectrum(n: number): PowerSpectrum {
  const half = n / 2;
  if (!Number.isInteger(half) || half < 2 || (half & (half - 1)) !== 0) throw new RangeError(`FFT size must be a power of two >= 4, got ${n}`);
  const fft = new FFT(half);
  const z = new Float64Array(n); // [half] complex, interleaved: the FFT of the packed frame
  const cosTable = new Float64Array(half);
  const sinTable = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cosTable[k] = Math.cos((2 * Math.PI * k) / n);
    sinTable[k] = Math.sin((2 * Math.PI * k) / n);
  }

  return (frame: Float64Array, power: Float64Array): void => {
    // frame: [n] real = [half] complex interleaved; power: [half + 1]
    fft.transform(z, frame);
    // k = 0 and k = half both pair Z[0] with itself: X[0] = Re Z0 + Im Z0, X[half] = Re Z0 - Im Z0.
    const dc = z[0] + z[1];
    const nyquist = z[0] - z[1];
    power[0] = dc * dc;
    power[half] = nyquist * nyquist;
    // Bins k and half - k read the same two values Z[k], Z[half - k], so do them together.
    for (let k = 1, m = half - 1; k <= m; k++, m--) {
      const zr = z[2 * k];
      const zi = z[2 * k + 1];
      const wr = z[2 * m];
      const wi = z[2 * m + 1];
      const er = 0.5 * (zr + wr);
      const ei = 0.5 * (zi - wi);
      // O[k] = (Z[k] - conj Z[m]) / (2i); O[m] = (Z[m] - conj Z[k]) / (2i) = (or, -oi) mirrored
      const or = 0.5 * (zi + wi);
      const oi = -0.5 * (zr - wr);
      // X[k] = E[k] + exp(-2 pi i k / n) O[k]
      const c = cosTable[k];
      const s = sinTable[k];
      const xr = er + c * or + s * oi;
      const xi = ei + c * oi - s * or;
      power[k] = xr * xr + xi * xi;
      // E[m] = conj E[k], O[m] = conj O[k], and exp(-2 pi i m / n) = -(cos t + i sin t)
      // with t = 2 pi k / n: X[m] = conj E[k] - (c + i s) conj O[k].
      const yr = er - (c * or + s * oi);
      const yi = -ei - (s * or - c * oi);
      power[m] = yr * yr + yi * yi;
    }
  };
}
