/**
 * The names of the attention modes. A bundle's config.json lists the modes it was trained
 * for, and the bundle is validated here, below attention/, so the list lives at this floor;
 * attention/ builds one mode per name from it (its registry's `satisfies` keeps the two in step).
 */
export const MODE_NAMES = ['global', 'local'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export function isModeName(name: unknown): name is ModeName {
  return typeof name === 'string' && (MODE_NAMES as readonly string[]).includes(name);
}
