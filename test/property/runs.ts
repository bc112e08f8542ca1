/**
 * Property-test sizes: the CI counts here, multiplied by LAS_FC_SCALE for longer runs
 * (`npm run bench` sets it), so CI stays quick and the bench searches further.
 */
export function runs(ci: number): number {
  const scale = Number(process.env.LAS_FC_SCALE ?? 1);
  return Math.max(1, Math.round(ci * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
