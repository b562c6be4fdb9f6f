/*
 * The results view: score, ability estimate in plain words, per-section accuracy, per-item table
 * (with the keys, which the page sees only now; code answers as <pre><code>). The driver that ran
 * the session and its fidelity events are for teachers: shown only in the diagnostics view.
 */

import { $, el } from "./dom.js";

const pct = (x) => `${Math.round(100 * x)}%`;

const END_REASONS = {
  all_items_completed: "all questions answered",
  time_limit: "the time limit passed",
  terminated_by_user: "ended by you",
  se_target: "the ability estimate was precise enough",
  bank_exhausted: "no more suitable questions",
};

function answerCell(label, text, itemType) {
  const attrs = { "data-label": label };
  if (text === null || text === undefined) return el("td", { ...attrs, class: "muted", text: "not answered" });
  if (itemType === "code") return el("td", { ...attrs, class: "code-cell" }, el("pre", { class: "code" }, el("code", { text })));
  return el("td", { ...attrs, text });
}

function itemRow(item) {
  const unanswered = item.response == null;
  const [mark, markClass] = unanswered
    ? ["Not answered", "mark-none"]
    : item.correct
      ? ["Correct", "mark-ok"]
      : ["Incorrect", "mark-bad"];
  const seconds = item.time_taken_ms == null ? "" : `${(item.time_taken_ms / 1000).toFixed(1)} s`;
  return el(
    "tr",
    { "data-correct": String(Boolean(item.correct)) },
    el("td", { class: "item-number", text: String(item.item_number) }),
    el("td", { class: "prompt-cell", "data-label": "Question", text: item.prompt }),
    answerCell("Your answer", item.response_text, item.item_type),
    answerCell("Correct answer", item.correct_answer, item.item_type),
    el("td", { class: `mark ${markClass}`, text: mark }),
    el("td", { class: "num", "data-label": "Time", text: seconds }),
  );
}

function sectionRow(section) {
  return el(
    "tr",
    {},
    el("th", { scope: "row", text: section.section_id || "(no section)" }),
    el("td", { text: String(section.correct) }),
    el("td", { text: String(section.total) }),
    el("td", { text: pct(section.accuracy) }),
  );
}

function fidelityItem(event) {
  const where = event.item_number ? `Question ${event.item_number}: ` : "";
  const call = event.tool_call_id ? ` (tool call ${event.tool_call_id})` : "";
  return el("li", {}, `${where}${event.problem || event.kind}`, el("span", { class: "muted", text: call }));
}

/**
 * Fill the results view from GET .../results and the session view; `diagnostics` shows the
 * teachers' section (driver, fidelity events).
 */
export function renderResults(results, view, { diagnostics = false } = {}) {
  $("results-title").textContent = `Results: ${results.title || view.title || "Assessment"}`;
  const answered = results.answered ?? results.items.filter((i) => i.response != null).length;
  $("score-line").textContent =
    `Score ${pct(results.score)}: ${results.correct_count} of ${results.total} correct` +
    (answered < results.total ? ` (${answered} answered)` : "");
  const hasAbility = typeof results.theta === "number" && typeof results.se === "number";
  $("ability").hidden = !hasAbility;
  $("ability-line").textContent = hasAbility
    ? `Ability estimate: ${results.theta.toFixed(1)} (give or take ${results.se.toFixed(1)})`
    : "";
  const reason = END_REASONS[results.end_reason] || results.end_reason || "";
  $("result-status").textContent = reason ? `${results.status} (${reason})` : results.status;
  $("result-driver").textContent = results.driver || view.driver || "unknown";

  $("sections-table").tBodies[0].replaceChildren(...results.sections.map(sectionRow));
  $("sections-table").closest("section").hidden = results.sections.length === 0;
  $("items-table").tBodies[0].replaceChildren(...results.items.map(itemRow));

  $("diagnostics").hidden = !diagnostics;
  const events = view.fidelity_events || [];
  $("fidelity-none").hidden = events.length > 0;
  $("fidelity-list").replaceChildren(...events.map(fidelityItem));
}
