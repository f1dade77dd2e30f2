// The project's own example digits: stroke point lists (0..1), written by hand, served locally.

const URL = "/static/data/example-strokes.json";
let cache = null;

/** {"0": [[[x, y], ...], ...], ...}: the strokes of each example digit. */
export async function loadExampleStrokes() {
  if (!cache) {
    const res = await fetch(URL);
    if (!res.ok) throw new Error(`could not load the example digits (${res.status})`);
    cache = await res.json();
  }
  return cache;
}

/** A digit to show next: cycles through 0-9 from a random start so repeats come late. */
export function nextExampleDigit() {
  if (nextExampleDigit.order === undefined) nextExampleDigit.order = Math.floor(Math.random() * 10);
  const digit = nextExampleDigit.order;
  nextExampleDigit.order = (digit + 3) % 10; // 3 is coprime with 10: visits every digit
  return String(digit);
}
