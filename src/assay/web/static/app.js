/*
 * Assay web page: sign in with an API token, pick a blueprint, take the evaluation, see results.
 *
 * Plain JavaScript, no build step. The page talks to the JSON API under /api with
 * `Authorization: Bearer <token>`. Questions arrive as `client_action` events on
 * GET /api/sessions/{id}/stream (Server-Sent Events read with fetch(), because EventSource cannot
 * send an Authorization header). After each answer (POST .../respond) the stream is opened again
 * and the next `client_action` arrives; after a reload the stream re-emits the pending one.
 *
 * State kept across reloads: the token (localStorage "assay.token") and the current session id
 * (localStorage "assay.session" and the URL hash "#session=<id>"). The page never knows a correct
 * answer before the results.
 */
"use strict";

(() => {
  const TOKEN_KEY = "assay.token";
  const SESSION_KEY = "assay.session";
  const TERMINAL = new Set(["completed", "expired", "terminated"]);
  const MAX_DIGIT_KEYS = 9;

  const $ = (id) => document.getElementById(id);
  const widgetOfForm = new WeakMap(); // rendered answer form -> its widget object

  const state = {
    token: null,
    sessionId: null,
    action: null, // the pending client_action being shown
    streamAbort: null, // AbortController of the open stream
    submitting: false,
    deadlineMs: null, // performance.now() time at which the countdown reaches zero
    timer: null,
    timeUp: false,
    warnedLow: false,
  };

  // ---------------------------------------------------------------------------------------
  // HTTP
  // ---------------------------------------------------------------------------------------

  /** An error answer of the API: `{error, message, field, rule}` plus the HTTP status. */
  class ApiError extends Error {
    constructor(status, body) {
      super(body.message || `HTTP ${status}`);
      this.status = status;
      this.code = body.error || "http_error";
      this.field = body.field || null;
      this.rule = body.rule || null;
      this.body = body;
    }
  }

  function authHeaders(token) {
    return { Authorization: `Bearer ${token || state.token}` };
  }

  async function readError(res) {
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    if (!body || typeof body !== "object") {
      body = { error: "http_error", message: `The server answered HTTP ${res.status}.` };
    }
    return new ApiError(res.status, body);
  }

  /** Call the API; returns the decoded JSON or throws ApiError (status 0 when unreachable). */
  async function api(method, path, body, token) {
    const headers = authHeaders(token);
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, { error: "network", message: `Cannot reach the server (${err.message}).` });
    }
    if (!res.ok) throw await readError(res);
    return res.status === 204 ? null : res.json();
  }

  const sessionPath = (id, tail = "") => `/api/sessions/${encodeURIComponent(id)}${tail}`;

  // ---------------------------------------------------------------------------------------
  // Server-Sent Events over fetch()
  // ---------------------------------------------------------------------------------------

  /**
   * A small SSE parser (the WHATWG "event stream" format): lines end in CRLF, LF or CR; a blank
   * line dispatches the event; lines starting with ":" are comments (keep-alive pings).
   * Returns {push(textChunk)}; calls onEvent(name, data) for each complete event.
   */
  function createSseParser(onEvent) {
    let buffer = "";
    let name = "";
    let data = [];

    function line(text) {
      if (text === "") {
        if (data.length) onEvent(name || "message", data.join("\n"));
        name = "";
        data = [];
        return;
      }
      if (text.startsWith(":")) return;
      const colon = text.indexOf(":");
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? "" : text.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    }

    return {
      push(chunk) {
        buffer += chunk;
        for (;;) {
          const at = buffer.search(/\r\n|\r|\n/);
          if (at < 0) return;
          // A CR at the very end may be the first half of a CRLF split across chunks.
          if (buffer[at] === "\r" && at === buffer.length - 1) return;
          const width = buffer.startsWith("\r\n", at) ? 2 : 1;
          line(buffer.slice(0, at));
          buffer = buffer.slice(at + width);
        }
      },
    };
  }

  function closeStream() {
    if (state.streamAbort) state.streamAbort.abort();
    state.streamAbort = null;
  }

  /** Open the session's stream and handle its events until the server closes it. */
  async function openStream(sessionId) {
    closeStream();
    const ctrl = new AbortController();
    state.streamAbort = ctrl;
    $("retry-button").hidden = true;
    let settled = false; // a question, the end, or an error arrived on this stream
    const onEvent = (name, raw) => {
      if (ctrl.signal.aborted || sessionId !== state.sessionId) return;
      let data = {};
      try {
        data = JSON.parse(raw);
      } catch (_) {
        data = {};
      }
      if (name === "client_action") {
        settled = true;
        renderAction(data);
      } else if (name === "session_completed") {
        settled = true;
        ctrl.abort();
        showResults(sessionId);
      } else if (name === "error") {
        settled = true;
        showSessionError(data.message || data.error || "The session stream failed.", { retry: true });
      }
    };
    try {
      const res = await fetch(sessionPath(sessionId, "/stream"), {
        headers: { ...authHeaders(), Accept: "text/event-stream" },
        cache: "no-store",
        signal: ctrl.signal,
      });
      if (!res.ok) {
        settled = true;
        handleError(await readError(res), { retry: true });
        return;
      }
      const parser = createSseParser(onEvent);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch (err) {
      if (ctrl.signal.aborted) return;
      settled = true;
      showSessionError(`The connection to the server was lost (${err.message}).`, { retry: true });
      return;
    } finally {
      if (state.streamAbort === ctrl) state.streamAbort = null;
    }
    if (!settled && !ctrl.signal.aborted && sessionId === state.sessionId) {
      showSessionError("The connection closed before the next question arrived.", { retry: true });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Views
  // ---------------------------------------------------------------------------------------

  const VIEWS = ["signin", "home", "session", "results"];

  function showView(name) {
    for (const v of VIEWS) $(`view-${v}`).hidden = v !== name;
    const signedIn = name !== "signin";
    $("sign-out").hidden = !signedIn;
    hideNotice();
  }

  function showNotice(message) {
    const el = $("notice");
    el.textContent = message;
    el.hidden = false;
  }

  function hideNotice() {
    $("notice").hidden = true;
    $("notice").textContent = "";
  }

  function announce(message) {
    $("sr-status").textContent = message;
  }

  function setError(id, message) {
    const el = $(id);
    el.textContent = message || "";
    el.hidden = !message;
  }

  function showSessionError(message, { retry = false } = {}) {
    setError("session-error", message);
    $("retry-button").hidden = !retry;
  }

  /** Route an API error: 401 signs out, anything else is shown inline in the session view. */
  function handleError(err, options) {
    if (err.status === 401) {
      signOut(`Your token was not accepted (${err.message}). Sign in again.`);
      return;
    }
    showSessionError(err.message, options);
  }

  const ATTRIBUTES = new Set(["role", "for", "spellcheck", "autocomplete", "wrap"]);

  /** Build an element: attrs set properties (or attributes for ATTRIBUTES, data-*, aria-*). */
  function el(tag, attrs = {}, ...children) {
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

  // ---------------------------------------------------------------------------------------
  // Sign in / out
  // ---------------------------------------------------------------------------------------

  function showSignin(message) {
    showView("signin");
    setError("signin-error", message || "");
    $("token-input").value = "";
    $("token-input").focus();
  }

  function signOut(message) {
    closeStream();
    stopCountdown();
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(SESSION_KEY);
    state.token = null;
    state.sessionId = null;
    state.action = null;
    history.replaceState(null, "", location.pathname);
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
    localStorage.setItem(TOKEN_KEY, token);
    state.token = token;
    const id = sessionFromHash() || localStorage.getItem(SESSION_KEY);
    if (id) resumeSession(id);
    else showHome({ blueprints });
  }

  // ---------------------------------------------------------------------------------------
  // Home: blueprint picker and recent sessions
  // ---------------------------------------------------------------------------------------

  function forgetSession() {
    state.sessionId = null;
    state.action = null;
    localStorage.removeItem(SESSION_KEY);
    if (location.hash) history.replaceState(null, "", location.pathname);
  }

  function rememberSession(id) {
    state.sessionId = id;
    localStorage.setItem(SESSION_KEY, id);
    const hash = `#session=${encodeURIComponent(id)}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  function sessionFromHash() {
    const match = /^#session=([^&]+)/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  async function showHome({ blueprints = null, message = "" } = {}) {
    closeStream();
    stopCountdown();
    forgetSession();
    showView("home");
    setError("start-error", "");
    if (message) showNotice(message);
    const list = $("blueprint-list");
    list.replaceChildren(el("p", { class: "muted", text: "Loading blueprints…" }));
    try {
      renderBlueprints(blueprints || (await api("GET", "/api/blueprints")));
    } catch (err) {
      if (err.status === 401) return signOut(`Your token was not accepted (${err.message}). Sign in again.`);
      list.replaceChildren();
      setError("start-error", err.message);
    }
    loadRecent();
  }

  function renderBlueprints(blueprints) {
    const list = $("blueprint-list");
    list.replaceChildren();
    if (!blueprints.length) {
      list.append(el("p", { class: "muted", text: "No blueprints are installed." }));
      return;
    }
    blueprints.forEach((bp, i) => {
      const id = `bp-${i}`;
      const minutes = bp.time_limit_minutes == null ? "no time limit" : `${bp.time_limit_minutes} min`;
      list.append(
        el(
          "label",
          { class: "choice", for: id },
          el("input", { type: "radio", name: "blueprint", id, value: bp.blueprint_id, checked: i === 0 }),
          el(
            "span",
            { class: "choice-body" },
            el("span", { class: "choice-title", text: bp.title }),
            el("span", {
              class: "choice-meta",
              text: `${bp.blueprint_id} · ${bp.total_items} items · ${minutes}`,
            }),
            bp.description ? el("span", { class: "choice-desc", text: bp.description }) : null,
          ),
        ),
      );
    });
  }

  async function loadRecent() {
    const list = $("recent-list");
    list.replaceChildren();
    let sessions = [];
    try {
      sessions = await api("GET", "/api/sessions");
    } catch (_) {
      sessions = [];
    }
    $("recent-empty").hidden = sessions.length > 0;
    for (const s of sessions.slice(0, 8)) {
      const ended = TERMINAL.has(s.status);
      const when = s.created_at ? new Date(s.created_at).toLocaleString() : "";
      list.append(
        el(
          "li",
          {},
          el("a", { href: `#session=${encodeURIComponent(s.session_id)}`, text: s.title || s.session_id }),
          el("span", { class: `badge status-${s.status}`, text: s.status.replaceAll("_", " ") }),
          el("span", { class: "muted", text: `${when}${ended ? "" : " · resume"}` }),
        ),
      );
    }
  }

  async function onStart(event) {
    event.preventDefault();
    const chosen = document.querySelector('input[name="blueprint"]:checked');
    if (!chosen) {
      setError("start-error", "Choose a blueprint first.");
      return;
    }
    const button = $("start-button");
    button.disabled = true;
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
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Session: resume, countdown, widgets, answers
  // ---------------------------------------------------------------------------------------

  function setWaiting(message) {
    state.action = null;
    $("widget").replaceChildren(el("p", { class: "muted", id: "widget-wait", text: message }));
  }

  /** Show a session: GET the view, then open the stream, which (re-)emits the pending question. */
  async function resumeSession(id) {
    closeStream();
    stopCountdown();
    rememberSession(id);
    showView("session");
    showSessionError("");
    $("session-title").textContent = "Evaluation";
    $("progress").textContent = "";
    setWaiting("Loading the session…");
    let view;
    try {
      view = await api("GET", sessionPath(id));
    } catch (err) {
      if (err.status === 404) {
        showHome({ message: `Session ${id} was not found: ${err.message}` });
        return;
      }
      handleError(err, { retry: true });
      return;
    }
    if (id !== state.sessionId) return;
    $("session-title").textContent = view.title || "Evaluation";
    if (TERMINAL.has(view.status)) {
      showResults(id, view);
      return;
    }
    if (view.total_items) {
      $("progress").textContent = `${view.items_answered} of ${view.total_items} answered`;
      setProgressBar(view.items_answered, view.total_items);
    }
    if (view.time_remaining_s != null && view.started_at) startCountdown(view.time_remaining_s);
    setWaiting(view.items_answered ? "Loading your question…" : "Preparing the first question…");
    openStream(id);
  }

  function setProgressBar(done, total) {
    const pct = total ? Math.min(100, Math.round((100 * done) / total)) : 0;
    $("progress-bar").firstElementChild.style.width = `${pct}%`;
  }

  function formatDuration(seconds) {
    const s = Math.max(0, Math.ceil(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
  }

  function startCountdown(remainingS) {
    state.deadlineMs = performance.now() + remainingS * 1000;
    state.timeUp = false;
    $("countdown-wrap").hidden = false;
    tick();
    if (!state.timer) state.timer = setInterval(tick, 250);
  }

  function stopCountdown() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    state.deadlineMs = null;
    state.warnedLow = false;
    $("countdown-wrap").hidden = true;
    $("countdown").classList.remove("low");
  }

  function tick() {
    if (state.deadlineMs == null) return;
    const left = Math.max(0, (state.deadlineMs - performance.now()) / 1000);
    const node = $("countdown");
    node.textContent = formatDuration(left);
    node.setAttribute("datetime", `PT${Math.ceil(left)}S`);
    node.classList.toggle("low", left <= 60);
    if (left <= 60 && left > 0 && !state.warnedLow) {
      state.warnedLow = true;
      announce("One minute left.");
    }
    if (left <= 0 && !state.timeUp) {
      state.timeUp = true;
      onTimeUp(state.sessionId);
    }
  }

  /** The countdown reached zero: the server expires the session on the next read. */
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
    // The server's clock may be a moment behind ours: ask again shortly.
    if (attempt < 10) setTimeout(() => onTimeUp(id, attempt + 1), 1000);
    else openStream(id);
  }

  function renderAction(action) {
    state.action = action;
    state.submitting = false;
    showSessionError("");
    const n = action.item_number;
    const total = action.total_items;
    $("progress").textContent = total ? `Question ${n} of ${total}` : `Question ${n}`;
    setProgressBar(n - 1, total);
    if (action.time_remaining_s != null) startCountdown(action.time_remaining_s);
    const build = WIDGETS[action.widget_type];
    if (!build) {
      showSessionError(`This page cannot show a "${action.widget_type}" question.`);
      return;
    }
    const props = action.props || {};
    const form = el("form", { class: `answer-form ${action.widget_type}`, "data-widget": action.widget_type, noValidate: true });
    const fields = el("fieldset", { class: "plain" });
    const prompt = el("h2", { class: "prompt", id: "q-prompt", text: props.prompt || "" });
    fields.append(prompt);
    const widget = build(props, fields);
    fields.append(el("p", { class: "field-error error", id: "answer-error", role: "alert", hidden: true }));
    form.append(fields);
    widgetOfForm.set(form, widget);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitFrom(widget);
    });
    $("widget").replaceChildren(form);
    widget.focus();
    announce(`Question ${n}${total ? ` of ${total}` : ""}`);
  }

  /** Each widget builds its inputs into `parent` and returns {focus(), value() -> response|null}. */
  const WIDGETS = {
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
        focus() {
          (radios().find((r) => r.checked) || radios()[0])?.focus();
        },
        value() {
          const chosen = radios().find((r) => r.checked);
          return chosen ? { index: Number(chosen.value) } : null;
        },
        emptyMessage: "Choose an option first.",
        choose(index) {
          const radio = radios()[index];
          if (!radio) return;
          radio.checked = true;
          radio.focus();
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
        focus: () => input.focus(),
        value: () => (input.value.trim() ? { text: input.value } : null),
        emptyMessage: "Type an answer first.",
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
      let escaped = false; // Esc then Tab leaves the editor (Tab alone indents)
      area.addEventListener("keydown", (event) => {
        if (event.key === "Escape") {
          escaped = true;
          return;
        }
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          area.form.requestSubmit();
          return;
        }
        if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !escaped) {
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
        focus() {
          area.focus();
          area.setSelectionRange(area.value.length, area.value.length);
        },
        value: () => (area.value.trim() ? { code: area.value } : null),
        emptyMessage: "Write some code first.",
      };
    },
  };

  function submitFrom(widget) {
    const response = widget.value();
    if (response === null) {
      setError("answer-error", widget.emptyMessage);
      widget.focus();
      return;
    }
    submitAnswer(response, widget);
  }

  function setBusy(busy) {
    const fields = document.querySelector("#widget fieldset");
    if (fields) fields.disabled = busy;
  }

  async function submitAnswer(response, widget) {
    const action = state.action;
    const id = state.sessionId;
    if (!action || state.submitting) return;
    state.submitting = true;
    setBusy(true);
    setError("answer-error", "");
    try {
      await api("POST", sessionPath(id, "/respond"), { tool_call_id: action.tool_call_id, response });
    } catch (err) {
      state.submitting = false;
      setBusy(false);
      if (err.code === "session_expired" || (err.body && TERMINAL.has(err.body.status))) {
        showResults(id);
      } else if (err.code === "stale_tool_call") {
        setWaiting("Loading your question…");
        openStream(id);
      } else if (err.status === 401) {
        handleError(err);
      } else {
        setError("answer-error", err.message);
        widget.focus();
      }
      return;
    }
    if (id !== state.sessionId) return;
    setProgressBar(action.item_number, action.total_items);
    setWaiting("Answer saved. Loading the next question…");
    openStream(id);
  }

  /** Keys 1-9 choose an option and Enter submits, for multiple-choice questions. */
  function onKeydown(event) {
    const action = state.action;
    if (!action || action.widget_type !== "multiple_choice" || state.submitting) return;
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.matches("textarea, input:not([type=radio])") || target.isContentEditable)) {
      return;
    }
    const form = document.querySelector("#widget form");
    if (!form || !currentWidgetFor(form)) return;
    if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      currentWidgetFor(form).choose(Number(event.key) - 1);
    } else if (event.key === "Enter" && !(target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement)) {
      event.preventDefault();
      form.requestSubmit();
    }
  }

  function currentWidgetFor(form) {
    return widgetOfForm.get(form) || null;
  }

  async function onEndSession() {
    const id = state.sessionId;
    if (!id) return;
    if (!window.confirm("End this session now? Unanswered questions score zero.")) return;
    closeStream();
    try {
      const view = await api("DELETE", sessionPath(id));
      showResults(id, view);
    } catch (err) {
      if (err.body && TERMINAL.has(err.body.status)) showResults(id);
      else handleError(err, { retry: true });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Results
  // ---------------------------------------------------------------------------------------

  const pct = (x) => `${Math.round(100 * x)}%`;
  const END_REASONS = {
    all_items_completed: "all questions answered",
    time_limit: "the time limit passed",
    terminated_by_user: "ended by you",
  };

  function answerCell(text, itemType) {
    if (text === null || text === undefined) return el("td", { class: "muted", text: "not answered" });
    if (itemType === "code") return el("td", {}, el("pre", { class: "code", text }));
    return el("td", { text });
  }

  async function showResults(id, view = null) {
    closeStream();
    stopCountdown();
    state.action = null;
    let results;
    try {
      [results, view] = await Promise.all([
        api("GET", sessionPath(id, "/results")),
        view && view.fidelity_events ? view : api("GET", sessionPath(id)),
      ]);
    } catch (err) {
      if (err.code === "invalid_status") return resumeSession(id);
      return handleError(err, { retry: true });
    }
    if (id !== state.sessionId) return;
    showView("results");
    $("results-title").textContent = `Results: ${results.title || view.title || "Evaluation"}`;
    const answered = results.answered ?? results.items.filter((i) => i.response != null).length;
    $("score-line").textContent =
      `Score ${pct(results.score)}: ${results.correct_count} of ${results.total} correct` +
      (answered < results.total ? ` (${answered} answered)` : "");
    const reason = END_REASONS[results.end_reason] || results.end_reason || "";
    $("result-status").textContent = reason ? `${results.status} (${reason})` : results.status;
    $("result-driver").textContent = results.driver || view.driver || "unknown";

    $("sections-table").tBodies[0].replaceChildren(
      ...results.sections.map((s) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: s.section_id || "(no section)" }),
          el("td", { text: String(s.correct) }),
          el("td", { text: String(s.total) }),
          el("td", { text: pct(s.accuracy) }),
        ),
      ),
    );
    $("sections-table").closest("section").hidden = results.sections.length === 0;

    $("items-table").tBodies[0].replaceChildren(
      ...results.items.map((item) => {
        const unanswered = item.response == null;
        const mark = unanswered ? "Not answered" : item.correct ? "Correct" : "Incorrect";
        const markClass = unanswered ? "mark-none" : item.correct ? "mark-ok" : "mark-bad";
        return el(
          "tr",
          { "data-correct": String(Boolean(item.correct)) },
          el("td", { text: String(item.item_number) }),
          el("td", { class: "prompt-cell", text: item.prompt }),
          answerCell(item.response_text, item.item_type),
          answerCell(item.correct_answer, item.item_type),
          el("td", { class: `mark ${markClass}`, text: mark }),
          el("td", { class: "num", text: item.time_taken_ms == null ? "" : `${(item.time_taken_ms / 1000).toFixed(1)} s` }),
        );
      }),
    );

    const events = view.fidelity_events || [];
    $("fidelity-none").hidden = events.length > 0;
    $("fidelity-list").replaceChildren(
      ...events.map((e) =>
        el(
          "li",
          {},
          `${e.item_number ? `Question ${e.item_number}: ` : ""}${e.problem || e.kind}`,
          el("span", { class: "muted", text: e.tool_call_id ? ` (tool call ${e.tool_call_id})` : "" }),
        ),
      ),
    );
    $("results-title").setAttribute("tabindex", "-1");
    $("results-title").focus();
  }

  // ---------------------------------------------------------------------------------------
  // Start-up
  // ---------------------------------------------------------------------------------------

  function route() {
    state.token = localStorage.getItem(TOKEN_KEY);
    if (!state.token) {
      showSignin();
      return;
    }
    const id = sessionFromHash() || localStorage.getItem(SESSION_KEY);
    if (id) resumeSession(id);
    else showHome();
  }

  function init() {
    $("signin-form").addEventListener("submit", onSignin);
    $("start-form").addEventListener("submit", onStart);
    $("sign-out").addEventListener("click", (event) => {
      event.preventDefault();
      signOut();
    });
    $("again-button").addEventListener("click", () => showHome());
    $("end-button").addEventListener("click", onEndSession);
    $("retry-button").addEventListener("click", () => {
      if (state.sessionId) resumeSession(state.sessionId);
    });
    document.addEventListener("keydown", onKeydown);
    window.addEventListener("hashchange", () => {
      const id = sessionFromHash();
      if (state.token && id && id !== state.sessionId) resumeSession(id);
    });
    route();
  }

  // Expose the parser for reuse and inspection; everything else stays private.
  window.Assay = Object.freeze({ createSseParser });

  init();
})();
