/** Index of the largest of the first `length` values (first one on ties). */
export function argmax(values: ArrayLike<number>, length: number = values.length): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[i] > values[best]) best = i;
  return best;
}
