/*
 * Assay web page: sign in with an API token, pick a blueprint, take the evaluation, see results.
 *
 * Plain ES modules, no build step. Questions arrive as `client_action` events on
 * GET /api/sessions/{id}/stream; after each answer (POST .../respond) the stream is opened again
 * and the next `client_action` arrives; after a reload the page GETs the session view and opens
 * the stream, which re-emits the pending question. Kept across reloads: the token (localStorage
 * "assay.token") and the current session id (localStorage "assay.session" and the URL hash
 * "#session=<id>"). The page never knows a correct answer before the results.
 *
 * Modules: api.js (HTTP + token), sse.js (event stream over fetch), widgets.js (the three answer
 * widgets), countdown.js (time left), results.js (results view), dom.js (helpers).
 *
 * Students read "assessment" (an assessment blueprint), never a blueprint id or the driver; the
 * results show the driver and fidelity events only with "?diagnostics=1" in the URL (teachers).
 */

import { ApiError, api, clearToken, getToken, sessionPath, setToken } from "./api.js";
import { Countdown } from "./countdown.js";
import { $, el, setError } from "./dom.js";
import { renderResults } from "./results.js";
import { readEventStream } from "./sse.js";
import { renderQuestion } from "./widgets.js";

const SESSION_KEY = "assay.session";
const TERMINAL = new Set(["completed", "expired", "terminated"]);
const VIEWS = ["signin", "home", "session", "results"];
const STATUS_LABELS = {
  pending: "not started",
  active: "in progress",
  awaiting_client_action: "in progress",
  completed: "completed",
  expired: "expired",
  terminated: "ended",
};

const state = {
  sessionId: null,
  action: null, // the pending client_action on screen
  question: null, // its widget handle (renderQuestion)
  streamAbort: null, // AbortController of the open stream
  submitting: false,
};

const countdown = new Countdown($("countdown"), {
  onLow: () => announce("One minute left."),
  onZero: () => onTimeUp(state.sessionId),
});

// ---- views and messages -------------------------------------------------------------------

function showView(name) {
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== name;
  $("sign-out").hidden = name === "signin";
  showNotice("");
}

function showNotice(message) {
  $("notice").textContent = message;
  $("notice").hidden = !message;
}

/** Say something to screen readers only (a polite live region). */
function announce(message) {
  $("sr-status").textContent = message;
}

function showSessionError(message, { retry = false } = {}) {
  setError("session-error", message);
  $("retry-button").hidden = !retry;
}

/** Route an API error: 401 signs out; anything else is shown inline in the session view. */
function handleError(err, options) {
  if (err.status === 401) signOut(`Your token was not accepted (${err.message}). Sign in again.`);
  else showSessionError(err.message, options);
}

function setWaiting(message) {
  state.action = null;
  state.question = null;
  $("widget").replaceChildren(el("p", { class: "muted", id: "widget-wait", text: message }));
}

function stopSession() {
  closeStream();
  countdown.stop();
  $("countdown-wrap").hidden = true;
  state.action = null;
  state.question = null;
}

// ---- the current session id (localStorage and URL hash) ------------------------------------

function rememberSession(id) {
  state.sessionId = id;
  localStorage.setItem(SESSION_KEY, id);
  const hash = `#session=${encodeURIComponent(id)}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

function forgetSession() {
  state.sessionId = null;
  localStorage.removeItem(SESSION_KEY);
  if (location.hash) history.replaceState(null, "", location.pathname);
}

function sessionFromHash() {
  const match = /^#session=([^&]+)/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

// ---- sign in / out ---------------------------------------------------------------------------

function showSignin(message = "") {
  showView("signin");
  setError("signin-error", message);
  $("token-input").value = "";
  $("token-input").focus();
}

function signOut(message = "") {
  stopSession();
  forgetSession();
  clearToken();
  showSignin(message);
}

async function onSignin(event) {
  event.preventDefault();
  const token = $("token-input").value.trim();
  if (!token) {
    setError("signin-error", "Paste your API token first.");
    $("token-input").focus();
    return;
  }
  let blueprints;
  try {
    blueprints = await api("GET", "/api/blueprints", undefined, token);
  } catch (err) {
    setError("signin-error", err.status === 401 ? `Token not accepted: ${err.message}.` : err.message);
    $("token-input").select();
    return;
  }
  setToken(token);
  const id = sessionFromHash() || localStorage.getItem(SESSION_KEY);
  if (id) resumeSession(id);
  else showHome({ blueprints });
}

// ---- home: blueprint picker and recent sessions ----------------------------------------------

async function showHome({ blueprints = null, message = "" } = {}) {
  stopSession();
  forgetSession();
  showView("home");
  showNotice(message);
  setError("start-error", "");
  const list = $("blueprint-list");
  list.replaceChildren(el("p", { class: "muted", text: "Loading assessments…" }));
  try {
    renderBlueprints(blueprints || (await api("GET", "/api/blueprints")));
  } catch (err) {
    if (err.status === 401) return signOut(`Your token was not accepted (${err.message}). Sign in again.`);
    list.replaceChildren();
    setError("start-error", err.message);
  }
  loadRecent();
}

/** "10 questions · about 15 min" (adaptive: "up to 30 questions"). */
function choiceMeta(bp) {
  const count = bp.item_selection_algorithm === "adaptive" ? `up to ${bp.total_items}` : `${bp.total_items}`;
  const minutes = bp.estimated_minutes == null ? "" : ` · about ${bp.estimated_minutes} min`;
  return `${count} questions${minutes}`;
}

function blueprintChoice(bp, i) {
  const id = `bp-${i}`;
  return el(
    "label",
    { class: "choice", for: id, "data-blueprint-id": bp.blueprint_id },
    el("input", { type: "radio", name: "blueprint", id, value: bp.blueprint_id, disabled: bp.available === false }),
    el(
      "span",
      { class: "choice-body" },
      el("span", { class: "choice-title", text: bp.title }),
      el("span", { class: "choice-meta", text: choiceMeta(bp) }),
      bp.description ? el("span", { class: "choice-desc", text: bp.description }) : null,
      bp.available === false ? el("span", { class: "choice-unavailable", text: `Unavailable: ${bp.unavailable_reason}` }) : null,
    ),
  );
}

function renderBlueprints(blueprints) {
  const choices = blueprints.map(blueprintChoice);
  if (!choices.length) choices.push(el("p", { class: "muted", text: "No assessments are installed." }));
  $("blueprint-list").replaceChildren(...choices);
}

async function loadRecent() {
  let sessions = [];
  try {
    sessions = (await api("GET", "/api/sessions?limit=8")).sessions;
  } catch (_) {
    sessions = []; // the list is a convenience; the picker still works
  }
  $("recent-empty").hidden = sessions.length > 0;
  $("recent-list").replaceChildren(
    ...sessions.slice(0, 8).map((s) => {
      const when = s.created_at ? new Date(s.created_at).toLocaleString() : "";
      return el(
        "li",
        {},
        el("a", { href: `#session=${encodeURIComponent(s.session_id)}`, text: s.title || s.session_id }),
        el("span", { class: `badge status-${s.status}`, text: STATUS_LABELS[s.status] || s.status }),
        el("span", { class: "muted", text: when }),
      );
    }),
  );
}

async function onStart(event) {
  event.preventDefault();
  const chosen = document.querySelector('input[name="blueprint"]:checked');
  if (!chosen) {
    setError("start-error", "Choose an assessment first.");
    return;
  }
  $("start-button").disabled = true;
  setError("start-error", "");
  try {
    const created = await api("POST", "/api/sessions", {
      session_type: "evaluation",
      config: { blueprint_id: chosen.value },
    });
    resumeSession(created.session_id);
  } catch (err) {
    if (err.status === 401) signOut(`Your token was not accepted (${err.message}). Sign in again.`);
    else setError("start-error", err.message);
  } finally {
    $("start-button").disabled = false;
  }
}

// ---- session: resume, stream, answer ---------------------------------------------------------

function setProgress(text, done, total) {
  $("progress").textContent = text;
  const width = total ? Math.min(100, Math.round((100 * done) / total)) : 0;
  $("progress-bar").firstElementChild.style.width = `${width}%`;
}

function startCountdown(remainingS) {
  if (remainingS == null) return;
  $("countdown-wrap").hidden = false;
  countdown.start(remainingS);
}

/** Show a session: GET the view, then open the stream, which (re-)emits the pending question. */
async function resumeSession(id) {
  stopSession();
  rememberSession(id);
  showView("session");
  showSessionError("");
  $("session-title").textContent = "Assessment";
  setProgress("", 0, 0);
  setWaiting("Loading the session…");
  let view;
  try {
    view = await api("GET", sessionPath(id));
  } catch (err) {
    if (err.status === 404) showHome({ message: `Session ${id} was not found: ${err.message}` });
    else handleError(err, { retry: true });
    return;
  }
  if (id !== state.sessionId) return;
  $("session-title").textContent = view.title || "Assessment";
  if (TERMINAL.has(view.status)) {
    showResults(id, view);
    return;
  }
  if (view.total_items) {
    setProgress(`${view.items_answered} of ${view.total_items} answered`, view.items_answered, view.total_items);
  }
  if (view.started_at) startCountdown(view.time_remaining_s);
  setWaiting(view.items_answered ? "Loading your question…" : "Preparing the first question…");
  openStream(id);
}

function closeStream() {
  if (state.streamAbort) state.streamAbort.abort();
  state.streamAbort = null;
}

/** Open the session's stream and act on its events until the server closes it. */
async function openStream(id) {
  closeStream();
  const ctrl = new AbortController();
  state.streamAbort = ctrl;
  $("retry-button").hidden = true;
  let settled = false; // a question, the end or an error arrived on this stream
  const onEvent = (name, raw) => {
    if (ctrl.signal.aborted || id !== state.sessionId) return;
    let data = {};
    try {
      data = JSON.parse(raw);
    } catch (_) {
      data = {};
    }
    if (name === "client_action") {
      settled = true;
      showQuestion(data);
    } else if (name === "session_completed") {
      settled = true;
      showResults(id);
    } else if (name === "error") {
      settled = true;
      showSessionError(data.message || data.error || "The session stream failed.", { retry: true });
    }
  };
  try {
    await readEventStream(sessionPath(id, "/stream"), { signal: ctrl.signal, onEvent });
  } catch (err) {
    if (ctrl.signal.aborted) return;
    settled = true;
    if (err instanceof ApiError) handleError(err, { retry: true });
    else showSessionError(`The connection to the server was lost (${err.message}).`, { retry: true });
  } finally {
    if (state.streamAbort === ctrl) state.streamAbort = null;
  }
  if (!settled && !ctrl.signal.aborted && id === state.sessionId) {
    showSessionError("The connection closed before the next question arrived.", { retry: true });
  }
}

function showQuestion(action) {
  const n = action.item_number;
  const total = action.total_items;
  const label = total ? `Question ${n} of ${total}` : `Question ${n}`;
  setProgress(label, n - 1, total);
  startCountdown(action.time_remaining_s);
  showSessionError("");
  state.submitting = false;
  const question = renderQuestion($("widget"), action, { onSubmit: (response) => submitAnswer(action, response) });
  if (!question) {
    setWaiting("");
    showSessionError(`This page cannot show a "${action.widget_type}" question.`);
    return;
  }
  state.action = action;
  state.question = question;
  announce(label);
}

async function submitAnswer(action, response) {
  const id = state.sessionId;
  const question = state.question;
  if (state.submitting || action !== state.action) return;
  state.submitting = true;
  question.setBusy(true);
  question.showError("");
  try {
    await api("POST", sessionPath(id, "/respond"), { tool_call_id: action.tool_call_id, response });
  } catch (err) {
    state.submitting = false;
    question.setBusy(false);
    if (err.code === "session_expired" || TERMINAL.has(err.body.status)) showResults(id);
    else if (err.code === "stale_tool_call") resumeSession(id); // answered elsewhere: fetch the pending one
    else if (err.status === 401) handleError(err);
    else question.showError(err.message);
    return;
  }
  if (id !== state.sessionId) return;
  setProgress($("progress").textContent, action.item_number, action.total_items);
  setWaiting("Answer saved. Loading the next question…");
  openStream(id);
}

/** The countdown reached zero: the server expires the session when it is next read. */
async function onTimeUp(id, attempt = 0) {
  if (!id || id !== state.sessionId) return;
  closeStream();
  setWaiting("Time is up.");
  announce("Time is up.");
  try {
    const view = await api("GET", sessionPath(id));
    if (TERMINAL.has(view.status)) return showResults(id, view);
  } catch (err) {
    return handleError(err, { retry: true });
  }
  // The server's clock may be a moment behind: ask again shortly, then fall back to the stream.
  if (attempt < 10) setTimeout(() => onTimeUp(id, attempt + 1), 1000);
  else openStream(id);
}

async function onEndSession() {
  const id = state.sessionId;
  if (!id || !window.confirm("End this session now? Unanswered questions score zero.")) return;
  closeStream();
  try {
    showResults(id, await api("DELETE", sessionPath(id)));
  } catch (err) {
    if (TERMINAL.has(err.body?.status)) showResults(id);
    else handleError(err, { retry: true });
  }
}

// ---- results ---------------------------------------------------------------------------------

async function showResults(id, view = null) {
  stopSession();
  let results;
  try {
    [results, view] = await Promise.all([
      api("GET", sessionPath(id, "/results")),
      view?.fidelity_events ? view : api("GET", sessionPath(id)),
    ]);
  } catch (err) {
    if (err.code === "invalid_status") return resumeSession(id); // not ended after all
    return handleError(err, { retry: true });
  }
  if (id !== state.sessionId) return;
  showView("results");
  renderResults(results, view, { diagnostics: new URLSearchParams(location.search).get("diagnostics") === "1" });
  $("results-title").focus();
}

// ---- start-up --------------------------------------------------------------------------------

function route() {
  if (!getToken()) return showSignin();
  const id = sessionFromHash() || localStorage.getItem(SESSION_KEY);
  if (id) resumeSession(id);
  else showHome();
}

$("signin-form").addEventListener("submit", onSignin);
$("start-form").addEventListener("submit", onStart);
$("sign-out").addEventListener("click", (event) => {
  event.preventDefault();
  signOut();
});
$("again-button").addEventListener("click", () => showHome());
$("end-button").addEventListener("click", onEndSession);
$("retry-button").addEventListener("click", () => state.sessionId && resumeSession(state.sessionId));
document.addEventListener("keydown", (event) => {
  if (!state.submitting) state.question?.onKey(event);
});
window.addEventListener("hashchange", () => {
  const id = sessionFromHash();
  if (getToken() && id && id !== state.sessionId) resumeSession(id);
});
route();
