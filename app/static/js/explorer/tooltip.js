// One floating tooltip for the values under the pointer.

/** A tooltip element appended to document.body, with show(event, text) and hide(). */
export function createTooltip() {
  const tip = document.createElement("div");
  tip.className = "value-tip";
  tip.setAttribute("role", "status");
  tip.hidden = true;
  document.body.append(tip);
  return {
    show(event, text) {
      tip.textContent = text;
      tip.hidden = false;
      const x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
      tip.style.left = `${x}px`;
      tip.style.top = `${event.clientY + 16}px`;
    },
    hide() {
      tip.hidden = true;
    },
  };
}
