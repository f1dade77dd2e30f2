// What the headline says about an answer: the digit, how sure, a runner-up when it is close,
// or that the drawing does not look like a single digit. Pure text, no DOM.

import { surePercent } from "../shared/format.js";

const CLOSE = 0.25; // the runner-up is named when it is within this much of the top

/** {headline, detail, kind} for /api/predict's answer; kind is "digit", "close" (the detail
 * names the runner-up: "7" + "or maybe 2: 55% vs 40%") or "no-digit" (the headline is "?"). */
export function verdict(answer, classNames) {
  const p = answer.probabilities;
  const order = p.map((_, i) => i).sort((a, b) => p[b] - p[a]);
  const [top, second] = order;
  const name = (i) => classNames[i] ?? String(i);
  if (answer.is_digit === false) {
    return {
      kind: "no-digit",
      headline: "?",
      detail: `This doesn't look like a single digit (closest: ${name(top)}, ${surePercent(p[top])})`,
    };
  }
  if (p[top] - p[second] < CLOSE) {
    return {
      kind: "close",
      headline: name(top),
      detail: `or maybe ${name(second)}: ${surePercent(p[top])} vs ${surePercent(p[second])}`,
    };
  }
  return { kind: "digit", headline: name(top), detail: `${surePercent(p[top])} sure` };
}
