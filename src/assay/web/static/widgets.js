/*
 * The three answer widgets of a `client_action`: multiple_choice (a radio group;
 * keys 1-9 choose, Enter submits), free_text (Enter submits) and code_editor (a textarea; Tab
 * indents, Esc then Tab leaves, Ctrl+Enter submits). Each builds a form whose submit calls
 * `onSubmit(response)` with the payload of POST .../respond: {index}, {text} or {code}.
 */

import { el, setError } from "./dom.js";

const MAX_DIGIT_KEYS = 9;

/** True when a key press belongs to a text field (digits and Enter are typing there). */
const isTyping = (target) =>
  target instanceof HTMLElement &&
  (target.matches("textarea, input:not([type=radio])") || target.isContentEditable);

const BUILDERS = {
  multiple_choice(props, parent) {
    const options = props.options || [];
    const group = el("div", { class: "options", role: "radiogroup", "aria-labelledby": "progress q-prompt" });
    options.forEach((text, i) => {
      const id = `opt-${i}`;
      group.append(
        el(
          "label",
          { class: "option", for: id },
          el("input", { type: "radio", name: "choice", id, value: String(i) }),
          el("span", { class: "key", "aria-hidden": "true", text: i < MAX_DIGIT_KEYS ? String(i + 1) : "" }),
          el("span", { class: "option-text", text }),
        ),
      );
    });
    const keys = Math.min(options.length, MAX_DIGIT_KEYS);
    parent.append(
      group,
      el("p", { class: "hint", text: `Press 1–${keys} to choose, Enter to submit.` }),
      el("button", { type: "submit", class: "primary", text: "Submit answer" }),
    );
    const radios = () => [...group.querySelectorAll('input[type="radio"]')];
    return {
      emptyMessage: "Choose an option first.",
      focus() {
        (radios().find((r) => r.checked) || radios()[0])?.focus();
      },
      value() {
        const chosen = radios().find((r) => r.checked);
        return chosen ? { index: Number(chosen.value) } : null;
      },
      /** Page-wide keys: 1-9 choose an option, Enter submits. Returns true when handled. */
      onKey(event, form) {
        if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return false;
        if (isTyping(event.target)) return false;
        if (/^[1-9]$/.test(event.key)) {
          const radio = radios()[Number(event.key) - 1];
          if (!radio) return false;
          radio.checked = true;
          radio.focus();
          return true;
        }
        if (event.key === "Enter" && !(event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement)) {
          form.requestSubmit();
          return true;
        }
        return false;
      },
    };
  },

  free_text(props, parent) {
    const input = el("input", {
      type: "text",
      id: "answer-text",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: props.placeholder || "",
      "aria-describedby": "q-prompt answer-hint",
    });
    parent.append(
      el("label", { for: "answer-text", text: "Your answer" }),
      input,
      el("p", { class: "hint", id: "answer-hint", text: "Press Enter to submit." }),
      el("button", { type: "submit", class: "primary", text: "Submit answer" }),
    );
    return {
      emptyMessage: "Type an answer first.",
      focus: () => input.focus(),
      value: () => (input.value.trim() ? { text: input.value } : null),
    };
  },

  code_editor(props, parent) {
    const language = props.language || "code";
    const area = el("textarea", {
      id: "answer-code",
      class: "code",
      rows: 12,
      spellcheck: "false",
      autocomplete: "off",
      wrap: "off",
      "aria-describedby": "q-prompt code-hint",
    });
    area.value = props.starter_code || "";
    let escaped = false; // Esc then Tab moves focus on; Tab alone indents
    area.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        escaped = true;
        return;
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        area.form.requestSubmit();
      } else if (event.key === "Tab" && !escaped && !(event.shiftKey || event.ctrlKey || event.altKey || event.metaKey)) {
        event.preventDefault();
        area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
      }
      escaped = false;
    });
    parent.append(
      el("label", { for: "answer-code", text: `Your code (${language})` }),
      area,
      el("p", {
        class: "hint",
        id: "code-hint",
        text: "Ctrl+Enter submits. Tab indents; press Esc then Tab to leave the editor.",
      }),
      el("button", { type: "submit", class: "primary", text: "Submit code" }),
    );
    return {
      emptyMessage: "Write some code first.",
      focus() {
        area.focus();
        area.setSelectionRange(area.value.length, area.value.length);
      },
      value: () => (area.value.trim() ? { code: area.value } : null),
    };
  },
};

/**
 * Render the question of `action` into `container`, focused. Returns a handle
 * {focus(), setBusy(bool), showError(message), onKey(event)}; null for an unknown widget type.
 * The submit of an empty answer is refused inline; otherwise `onSubmit(response)` is called.
 */
export function renderQuestion(container, action, { onSubmit }) {
  const build = BUILDERS[action.widget_type];
  if (!build) return null;
  const props = action.props || {};
  const form = el("form", { class: "answer-form", "data-widget": action.widget_type, noValidate: true });
  const fields = el("fieldset", { class: "plain" }, el("h2", { class: "prompt", id: "q-prompt", text: props.prompt || "" }));
  const widget = build(props, fields);
  fields.append(el("p", { class: "error", id: "answer-error", role: "alert", hidden: true }));
  form.append(fields);
  const handle = {
    focus: () => widget.focus(),
    setBusy(busy) {
      fields.disabled = busy;
    },
    showError(message) {
      setError("answer-error", message);
      if (message) widget.focus();
    },
    onKey(event) {
      if (fields.disabled || !widget.onKey) return;
      if (widget.onKey(event, form)) event.preventDefault();
    },
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (fields.disabled) return;
    const response = widget.value();
    if (response === null) handle.showError(widget.emptyMessage);
    else onSubmit(response);
  });
  container.replaceChildren(form);
  widget.focus();
  return handle;
}
