/* Small DOM helpers shared by the page's modules. */

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

const ATTRIBUTES = new Set(["role", "for", "spellcheck", "autocomplete", "wrap"]);

/**
 * Build an element. `attrs` set properties, except `class`, `text`, data-*, aria-* and the names in
 * ATTRIBUTES, which set the class, the text content or the attribute; null/undefined/false skip.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || ATTRIBUTES.has(key)) {
      node.setAttribute(key, String(value));
    } else node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** Show `message` in the element `id` (an inline error), or hide it when the message is empty. */
export function setError(id, message) {
  const node = $(id);
  node.textContent = message || "";
  node.hidden = !message;
}
