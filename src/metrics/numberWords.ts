/**
 * Digit runs as spoken words (docs/contracts.md section 3): cardinal words without hyphens or
 * "and" for runs of up to nine digits; a run with a leading zero, or longer than nine digits,
 * is read digit by digit (phone numbers, codes, "007").
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
/** Nine digits is the most a cardinal reading covers: up to "... million ...". */
export const MAX_CARDINAL_DIGITS = 9;

/** 1..999 as words; 0 gives no words (a zero group is silent inside a larger number). */
function belowThousand(n: number): string[] {
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(ONES[hundreds], 'hundred');
  if (rest >= 20) {
    words.push(TENS[Math.floor(rest / 10)]);
    if (rest % 10 > 0) words.push(ONES[rest % 10]);
  } else if (rest >= 10) {
    words.push(TEENS[rest - 10]);
  } else if (rest > 0) {
    words.push(ONES[rest]);
  }
  return words;
}

/** 0..999 999 999 as cardinal words: `1999` -> "one thousand nine hundred ninety nine". */
export function cardinalWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 10 ** MAX_CARDINAL_DIGITS) throw new RangeError(`cardinalWords takes 0..999999999, got ${n}`);
  if (n === 0) return 'zero';
  const millions = Math.floor(n / 1_000_000);
  const thousands = Math.floor(n / 1000) % 1000;
  const units = n % 1000;
  const words: string[] = [];
  if (millions > 0) words.push(...belowThousand(millions), 'million');
  if (thousands > 0) words.push(...belowThousand(thousands), 'thousand');
  words.push(...belowThousand(units));
  return words.join(' ');
}

/** One run of ASCII digits as words, choosing the cardinal or digit-by-digit reading. */
export function digitRunWords(run: string): string {
  if (!/^[0-9]+$/.test(run)) throw new RangeError(`not a digit run: ${JSON.stringify(run)}`);
  const digitByDigit = run.length > MAX_CARDINAL_DIGITS || (run.length > 1 && run[0] === '0');
  if (digitByDigit) return Array.from(run, (d) => ONES[d.charCodeAt(0) - 48]).join(' ');
  return cardinalWords(Number(run));
}
