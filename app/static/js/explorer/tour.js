// The guided tour on the live Network page: 8 short steps, each highlighting the real element
// it talks about; next / back, Escape leaves; links into the playground.

import { postJSON } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { playgroundLink } from "../shared/playground-link.js";
import { showDemo } from "./tour-demo.js";
import { tourSteps } from "./tour-steps.js";

const UNIT_SIDE = 5; // the input square carried to the playground around a unit

/**
 * A tour card appended to doc.body and a "Take the tour" button in the overview's head.
 * lastRequest() -> {answer, input} of the newest prediction (or null); drawExample() draws one.
 */
export function createTour(doc, { model, lastRequest, drawExample }) {
  const root = el("aside", "tour-card");
  root.hidden = true;
  root.tabIndex = -1;
  root.setAttribute("data-testid", "tour");
  root.setAttribute("role", "dialog");
  root.setAttribute("aria-labelledby", "tour-title");
  const counter = el("p", "tour-counter");
  counter.setAttribute("data-testid", "tour-counter");
  const title = el("h2", "", "");
  title.id = "tour-title";
  title.setAttribute("data-testid", "tour-step");
  const text = el("p", "tour-text");
  const demo = el("div", "tour-demo");
  demo.setAttribute("data-testid", "tour-demo");
  const links = el("p", "tour-links");
  const nav = el("div", "tour-nav");
  const button = (label, id, cls = "") => {
    const b = el("button", cls, label);
    b.type = "button";
    b.setAttribute("data-testid", id);
    nav.append(b);
    return b;
  };
  const back = button("◀ Back", "tour-back");
  const next = button("Next ▶", "tour-next", "primary");
  const leave = button("Leave the tour", "tour-close");
  root.append(counter, title, text, demo, links, nav);
  doc.body.append(root);

  const start = el("button", "tour-start", "Take the tour");
  start.type = "button";
  start.setAttribute("data-testid", "tour-start");
  doc.querySelector("[data-testid=overview] .overview-head")?.append(start);

  let steps = [];
  let index = 0;
  let stopDemo = null;
  let lit = null;
  let demoCall = null;

  function open() {
    if (!lastRequest()) drawExample();
    index = 0;
    root.hidden = false;
    doc.body.classList.add("touring");
    go(0);
    root.focus({ preventScroll: true });
  }

  function go(i) {
    steps = tourSteps(model, lastRequest()?.answer ?? null);
    index = Math.max(0, Math.min(steps.length - 1, i));
    const step = steps[index];
    counter.textContent = `Step ${index + 1} of ${steps.length}`;
    title.textContent = step.title;
    text.textContent = step.text;
    back.disabled = index === 0;
    next.textContent = index === steps.length - 1 ? "Finish" : "Next ▶";
    stopDemo?.();
    demoCall?.abort();
    demoCall = new AbortController();
    stopDemo = step.demo ? showDemo(demo, step.demo, { signal: demoCall.signal }) : null;
    demo.hidden = !step.demo;
    if (!step.demo) demo.replaceChildren();
    showLinks(step);
    highlight(doc.querySelector(`[data-testid="${step.target}"]`));
    root.dataset.step = step.id;
  }

  function showLinks(step) {
    links.replaceChildren();
    if (step.link) {
      const a = el("a", "", "Try it in the playground");
      a.href = playgroundLink({ preset: step.link });
      a.setAttribute("data-testid", "tour-playground");
      links.append(a);
    }
    if (step.unitLink) {
      const a = el("a", "", "Open a unit of your drawing in the playground");
      a.href = "/playground";
      a.setAttribute("data-testid", "tour-unit-link");
      a.addEventListener("click", (e) => {
        e.preventDefault();
        openUnit().then((href) => doc.defaultView.location.assign(href), (error) => (a.textContent = error.message));
      });
      links.append(links.childNodes.length ? " · " : "", a);
    }
  }

  /** The strongest unit of conv1's first map: its input around it and its kernel, as a playground link. */
  async function openUnit() {
    const last = lastRequest();
    if (!last) throw new Error("Draw a digit first.");
    const conv = model.layers.find((l) => l.kind === "conv2d");
    const map = last.answer.layers.find((l) => l.name === conv.name).activations[0];
    let best = [0, 0];
    map.forEach((row, r) => row.forEach((v, c) => v > map[best[0]][best[1]] && (best = [r, c])));
    const record = await postJSON("/api/explain", { ...last.input, layer: conv.name, channel: 0, row: best[0], col: best[1] });
    const half = Math.floor(UNIT_SIDE / 2);
    const image = record.input;
    const around = Array.from({ length: UNIT_SIDE }, (_, r) =>
      Array.from({ length: UNIT_SIDE }, (_, c) => image[best[0] - half + r]?.[best[1] - half + c] ?? 0),
    );
    return playgroundLink({ input: [around], kernels: [record.kernel] });
  }

  function highlight(node) {
    lit?.classList.remove("tour-highlight");
    lit = node;
    if (!node) return;
    node.classList.add("tour-highlight");
    const phone = doc.defaultView.matchMedia("(max-width: 760px)").matches;
    node.scrollIntoView({ block: phone ? "start" : "center", inline: phone ? "start" : "nearest" });
  }

  function close() {
    if (root.hidden) return;
    stopDemo?.();
    demoCall?.abort();
    root.hidden = true;
    doc.body.classList.remove("touring");
    highlight(null);
    start.focus({ preventScroll: true });
  }

  back.addEventListener("click", () => go(index - 1));
  next.addEventListener("click", () => (index === steps.length - 1 ? close() : go(index + 1)));
  leave.addEventListener("click", close);
  start.addEventListener("click", open);
  doc.addEventListener("keydown", (e) => {
    if (root.hidden) return;
    const inside = root.contains(doc.activeElement) || doc.activeElement === doc.body;
    if (e.key === "Escape" && inside) close();
    else if (root.contains(doc.activeElement) && e.target.tagName !== "A") {
      if (e.key === "ArrowRight") go(index + 1);
      if (e.key === "ArrowLeft") go(index - 1);
    }
  });

  return { open, close, isOpen: () => !root.hidden };
}
