/*
 * The JSON API under /api: `Authorization: Bearer <token>` on every call; error answers are
 * `{error, message, field, rule}` and become ApiError. The token lives in localStorage.
 */

const TOKEN_KEY = "assay.token";

export const getToken = () => localStorage.getItem(TOKEN_KEY);
export const setToken = (token) => localStorage.setItem(TOKEN_KEY, token);
export const clearToken = () => localStorage.removeItem(TOKEN_KEY);

/** An error answer of the API plus its HTTP status (0 when the server could not be reached). */
export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.error || "http_error";
    this.field = body.field || null;
    this.rule = body.rule || null;
    this.body = body;
  }
}

export const authHeaders = (token = getToken()) => ({ Authorization: `Bearer ${token}` });

export const sessionPath = (id, tail = "") => `/api/sessions/${encodeURIComponent(id)}${tail}`;

/** The ApiError of a non-2xx response (a JSON error body, or a generic one). */
export async function readError(res) {
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

/** Call the API; returns the decoded JSON or throws ApiError. `token` defaults to the stored one. */
export async function api(method, path, body = undefined, token = undefined) {
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
