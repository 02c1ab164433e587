import { stringifyJson } from "./deep-json.js";

/**
 * seq/ack on the client leg (BYOR server → app), as a hosted relay does it: the server numbers every relayed
 * frame per app session, keeps the frames the app has not acknowledged in a bounded buffer, and after a reconnect
 * replays exactly what the app missed, or says it cannot (then the app re-syncs from snapshots).
 */

export interface ReplayBufferOptions {
  /** Unacknowledged frames kept for a resume (default 1024). */
  maxFrames?: number;
  /** Their total size, in UTF-16 code units of the serialised text (default 1 MiB). */
  maxBytes?: number;
}

interface Entry {
  seq: number;
  text: string;
}

/**
 * Server side, one per app session: numbers frames and keeps the unacknowledged ones, bounded.
 *
 * Invariant: every frame with a seq above `floor` (the highest seq acknowledged or evicted) is in the buffer, so
 * a resume from any point at or above the floor can be served exactly.
 */
export class ReplayBuffer {
  readonly #maxFrames: number;
  readonly #maxBytes: number;
  // A queue with a moving head: shift() on a large array is O(n), and acks drop from the front.
  #entries: Entry[] = [];
  #head = 0;
  #bytes = 0;
  #lastSeq = 0;
  #ackedSeq = 0;
  #evictedSeq = 0;

  constructor(options: ReplayBufferOptions = {}) {
    this.#maxFrames = Math.max(1, options.maxFrames ?? 1024);
    this.#maxBytes = Math.max(1, options.maxBytes ?? 1024 * 1024);
  }

  /**
   * A buffer that carries on a session journaled elsewhere: every frame up to `ackedSeq` was acknowledged, and
   * `texts` are the frames after it, numbered on from there, as they were sent.
   */
  static continuing(options: ReplayBufferOptions, ackedSeq: number, texts: readonly string[]): ReplayBuffer {
    const buffer = new ReplayBuffer(options);
    buffer.#lastSeq = buffer.#ackedSeq = ackedSeq;
    for (const text of texts) buffer.#keep(text);
    return buffer;
  }

  /** The last seq assigned (0 before the first frame). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The highest seq the app acknowledged. */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  /** Frames held. */
  get frames(): number {
    return this.#entries.length - this.#head;
  }

  /** Their size (UTF-16 code units of the serialised text). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The bounds were exceeded: frames the app has not acknowledged were evicted, so a resume from before them is
   * impossible. Clears once the app acknowledges past them (it did receive them on the live socket).
   */
  get overflowed(): boolean {
    return this.#evictedSeq > this.#ackedSeq;
  }

  /** Numbers the frame (sets `frame.seq`), keeps it and returns the text to send. */
  push(frame: object): string {
    (frame as { seq?: number }).seq = this.#lastSeq + 1;
    return this.#keep(stringifyJson(frame));
  }

  /**
   * Numbers a frame already serialised without `seq` (a JSON object text), keeps it and returns the text to send:
   * a frame fanned out to many apps is serialised once, not once per app.
   */
  pushEncoded(body: string): string {
    const rest = body === "{}" ? "}" : `,${body.slice(1)}`;
    return this.#keep(`{"seq":${this.#lastSeq + 1}${rest}`);
  }

  #keep(text: string): string {
    const seq = ++this.#lastSeq;
    this.#entries.push({ seq, text });
    this.#bytes += text.length;
    // The newest frame always stays, even alone over maxBytes: evicting it would make every resume fail.
    while (this.frames > 1 && (this.frames > this.#maxFrames || this.#bytes > this.#maxBytes)) {
      this.#evictedSeq = this.#drop().seq;
    }
    return text;
  }

  /** The app processed every frame up to `seq`. Stale (≤ ackedSeq) and out-of-range (> lastSeq) acks are ignored. */
  ack(seq: number): void {
    if (!Number.isInteger(seq) || seq <= this.#ackedSeq || seq > this.#lastSeq) return;
    this.#ackedSeq = seq;
    while (this.frames > 0 && this.#entries[this.#head]!.seq <= seq) this.#drop();
  }

  /** What an app that processed every frame up to `lastSeq` missed, or why that cannot be served exactly. */
  replayAfter(lastSeq: number): { ok: true; texts: string[] } | { ok: false; reason: "buffer_overrun" } {
    const floor = Math.max(this.#ackedSeq, this.#evictedSeq);
    // Below the floor a frame is gone; above lastSeq the app claims frames this session never sent.
    if (!Number.isInteger(lastSeq) || lastSeq < floor || lastSeq > this.#lastSeq) return { ok: false, reason: "buffer_overrun" };
    const texts: string[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.seq > lastSeq) texts.push(entry.text);
    }
    return { ok: true, texts };
  }

  #drop(): Entry {
    const entry = this.#entries[this.#head]!;
    this.#entries[this.#head++] = undefined as unknown as Entry;
    this.#bytes -= entry.text.length;
    // Compact once the dead prefix dominates, so memory follows the live frames.
    if (this.#head > 64 && this.#head * 2 >= this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }
}

/** App side: the cursor of the last frame processed, and the verdict on each incoming seq. */
export class SeqReceiver {
  #lastSeq: number;

  constructor(lastSeq = 0) {
    this.#lastSeq = lastSeq;
  }

  /** The last seq processed: 0 before the first frame, so a resume point exists from the start. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * `deliver` (and advance) only the next seq; `duplicate` for one already processed; `gap` when frames are
   * missing: the app must reconnect and resume from `lastSeq`.
   */
  accept(seq: number): "deliver" | "duplicate" | "gap" {
    if (seq === this.#lastSeq + 1) {
      this.#lastSeq = seq;
      return "deliver";
    }
    return seq <= this.#lastSeq ? "duplicate" : "gap";
  }

  /** A new session starts (after a reset, or a fresh welcome): the cursor goes back to `toSeq` (0). */
  reset(toSeq = 0): void {
    this.#lastSeq = toSeq;
  }
}
