/*
 * The visible countdown. It counts from the server's `time_remaining_s` on the client's monotonic
 * clock (performance.now()), so a skewed wall clock does not matter; the server stays the judge of
 * the deadline.
 */

/**
 * Time left in plain words, rounded up: "15 min left" (14:01 to 15:00 left), "1 h 5 min left",
 * and in the last minute "45 s left" (0.2 s left shows "1 s left").
 */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s left`;
  const minutes = Math.ceil(s / 60);
  const h = Math.floor(minutes / 60);
  return h ? `${h} h ${minutes % 60} min left` : `${minutes} min left`;
}

export class Countdown {
  /**
   * @param {HTMLTimeElement} node where the time left is shown
   * @param {{onLow: function(): void, onZero: function(): void, lowS?: number}} hooks onLow fires
   *   once when lowS (default 60) seconds are left, onZero once at zero
   */
  constructor(node, { onLow, onZero, lowS = 60 }) {
    this.node = node;
    this.onLow = onLow;
    this.onZero = onZero;
    this.lowS = lowS;
    this.deadlineMs = null;
    this.timer = null;
  }

  start(remainingS) {
    this.deadlineMs = performance.now() + remainingS * 1000;
    this.firedLow = remainingS <= this.lowS;
    this.firedZero = false;
    this.tick();
    if (!this.timer) this.timer = setInterval(() => this.tick(), 250);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.deadlineMs = null;
    this.node.classList.remove("low");
  }

  tick() {
    if (this.deadlineMs == null) return;
    const left = Math.max(0, (this.deadlineMs - performance.now()) / 1000);
    this.node.textContent = formatDuration(left);
    this.node.setAttribute("datetime", `PT${Math.ceil(left)}S`);
    this.node.classList.toggle("low", left <= this.lowS);
    if (left <= this.lowS && left > 0 && !this.firedLow) {
      this.firedLow = true;
      this.onLow();
    }
    if (left <= 0 && !this.firedZero) {
      this.firedZero = true;
      this.stop();
      this.onZero();
    }
  }
}
