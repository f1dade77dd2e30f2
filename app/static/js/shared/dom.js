// Finding a page's elements by their hooks, and making new ones.

/** A finder for the elements under `root` by data-testid: byTestId(root)("clear"). */
export function byTestId(root) {
  return (id) => root.querySelector(`[data-testid="${id}"]`);
}

/** A finder for the elements under `root` by data-part: byPart(root)("title"). */
export function byPart(root) {
  return (name) => root.querySelector(`[data-part="${name}"]`);
}

/** A new element with an optional class name and text. */
export function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}
