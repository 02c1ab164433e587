import { ByorError } from "@byor/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Emitter, errorEventReporter, reportHandlerError } from "../src/emitter.js";

type Events = { number: number; text: string };

/** Collects a stream until it ends. */
async function collect<T>(iterator: AsyncIterableIterator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterator) out.push(value);
  return out;
}

/** Counts the handlers registered through `on` (streams use it too) that are not disposed yet. */
function liveHandlers<E extends object>(emitter: Emitter<E>): () => number {
  let live = 0;
  const on = emitter.on.bind(emitter);
  emitter.on = (name, handler) => {
    live++;
    const sub = on(name, handler);
    let disposed = false;
    return { dispose: () => (disposed ? undefined : ((disposed = true), live--, sub.dispose())) };
  };
  return () => live;
}

describe("Emitter", () => {
  it("calls the handlers of one event name, in order, with the payload", () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    emitter.on("number", (n) => seen.push(`a${n}`));
    emitter.on("number", (n) => seen.push(`b${n}`));
    emitter.on("text", (t) => seen.push(`t${t}`));
    emitter.emit("number", 1);
    emitter.emit("text", "x");
    expect(seen).toEqual(["a1", "b1", "tx"]);
  });

  it("emitting with no handler does nothing", () => {
    expect(() => new Emitter<Events>().emit("text", "nobody")).not.toThrow();
  });

  it("on returns a disposable that removes only that handler", () => {
    const emitter = new Emitter<Events>();
    const seen: number[] = [];
    const sub = emitter.on("number", (n) => seen.push(n));
    emitter.on("number", (n) => seen.push(n * 10));
    emitter.emit("number", 1);
    sub.dispose();
    emitter.emit("number", 2);
    expect(seen).toEqual([1, 10, 20]);
  });

  it("a handler added or removed during an emit takes effect from the next emit", () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    const late = () => emitter.on("number", (n) => seen.push(`late${n}`));
    let removeB = () => {};
    emitter.on("number", (n) => {
      seen.push(`a${n}`);
      if (n === 1) {
        late();
        removeB();
      }
    });
    const b = emitter.on("number", (n) => seen.push(`b${n}`));
    removeB = () => b.dispose();
    emitter.emit("number", 1);
    emitter.emit("number", 2);
    expect(seen).toEqual(["a1", "b1", "a2", "late2"]);
  });

  it("stream buffers every payload emitted between reads", async () => {
    const emitter = new Emitter<Events>();
    const stream = emitter.stream("number");
    emitter.emit("number", 1);
    emitter.emit("number", 2);
    emitter.emit("text", "ignored");
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    let third: IteratorResult<number> | undefined;
    void stream.next().then((result) => (third = result)); // nothing buffered: waits
    await Promise.resolve();
    expect(third).toBeUndefined();
    emitter.emit("number", 3);
    emitter.emit("number", 4);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(third).toEqual({ value: 3, done: false });
    expect(await stream.next()).toEqual({ value: 4, done: false });
  });

  it("stream ends when the signal aborts, after what was buffered", async () => {
    const emitter = new Emitter<Events>();
    const live = liveHandlers(emitter);
    const controller = new AbortController();
    const all = collect(emitter.stream("number", controller.signal));
    expect(live()).toBe(1);
    emitter.emit("number", 1);
    emitter.emit("number", 2);
    controller.abort();
    expect(await all).toEqual([1, 2]);
    // Ended streams no longer listen.
    expect(live()).toBe(0);
  });

  // Regression: an abort must unsubscribe at once, not when the reader next reads.
  it("stream yields nothing emitted after the abort", async () => {
    const emitter = new Emitter<Events>();
    const controller = new AbortController();
    const all = collect(emitter.stream("number", controller.signal));
    emitter.emit("number", 1);
    emitter.emit("number", 2);
    controller.abort();
    emitter.emit("number", 3);
    expect(await all).toEqual([1, 2]);
  });

  it("stream of an already aborted signal ends at once", async () => {
    const emitter = new Emitter<Events>();
    const controller = new AbortController();
    controller.abort();
    const live = liveHandlers(emitter);
    const stream = emitter.stream("number", controller.signal);
    emitter.emit("number", 1);
    // It never listened: nothing emitted after it was made reaches it, and nothing leaks if it is never read.
    expect(live()).toBe(0);
    expect(await collect(stream)).toEqual([]);
  });

  it("close ends every stream and drops every handler", async () => {
    const emitter = new Emitter<Events>();
    const seen: number[] = [];
    emitter.on("number", (n) => seen.push(n));
    const numbers = collect(emitter.stream("number"));
    const texts = collect(emitter.stream("text"));
    emitter.emit("number", 1);
    emitter.close();
    emitter.emit("number", 2);
    expect(await numbers).toEqual([1]);
    expect(await texts).toEqual([]);
    expect(seen).toEqual([1]);
    // A stream opened after close is already over; a handler added after close is never kept.
    expect(await emitter.stream("number").next()).toEqual({ value: undefined, done: true });
    emitter.on("number", (n) => seen.push(n));
    emitter.emit("number", 3);
    expect(seen).toEqual([1]);
  });

  it("breaking out of for-await (return) unsubscribes the stream", async () => {
    const emitter = new Emitter<Events>();
    const live = liveHandlers(emitter);
    const got: number[] = [];
    const reading = (async () => {
      for await (const n of emitter.stream("number")) {
        got.push(n);
        if (n === 2) break;
      }
    })();
    for (const n of [1, 2, 3, 4]) {
      emitter.emit("number", n);
      await Promise.resolve();
    }
    await reading;
    expect(got).toEqual([1, 2]);
    // The stream's listener is gone.
    expect(live()).toBe(0);
  });

  it("two streams of the same event each get every payload", async () => {
    const emitter = new Emitter<Events>();
    const controller = new AbortController();
    const one = collect(emitter.stream("text", controller.signal));
    const two = collect(emitter.stream("text", controller.signal));
    emitter.emit("text", "a");
    emitter.emit("text", "b");
    controller.abort();
    expect(await one).toEqual(["a", "b"]);
    expect(await two).toEqual(["a", "b"]);
  });

  it("a throwing handler is reported, and the handlers after it and later emits still run", () => {
    const reported: [unknown, PropertyKey][] = [];
    const emitter = new Emitter<Events>({ onHandlerError: (error, name) => reported.push([error, name]) });
    const seen: string[] = [];
    const boom = new Error("boom");
    emitter.on("number", (n) => seen.push(`a${n}`));
    emitter.on("number", () => {
      throw boom;
    });
    emitter.on("number", (n) => seen.push(`c${n}`));
    expect(() => emitter.emit("number", 1)).not.toThrow();
    emitter.emit("number", 2);
    expect(seen).toEqual(["a1", "c1", "a2", "c2"]);
    expect(reported).toEqual([
      [boom, "number"],
      [boom, "number"],
    ]);
  });
});

describe("reporting handler errors", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it("by default goes to console.error (no reportError here) and never to the caller", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const emitter = new Emitter<Events>();
    const seen: number[] = [];
    emitter.on("number", () => {
      throw new Error("boom");
    });
    emitter.on("number", (n) => seen.push(n));
    expect(() => emitter.emit("number", 7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(logged).toHaveBeenCalledWith('[byor] a "number" handler threw:', expect.objectContaining({ message: "boom" }));
  });

  it("uses globalThis.reportError where there is one (browsers), and survives a reporter that throws", () => {
    const reportError = vi.fn();
    vi.stubGlobal("reportError", reportError);
    const boom = new Error("boom");
    reportHandlerError(boom, "x");
    expect(reportError).toHaveBeenCalledWith(boom);
    vi.stubGlobal("reportError", () => {
      throw new Error("reporter down");
    });
    expect(() => reportHandlerError(boom, "x")).not.toThrow();

    // An onHandlerError that throws: both errors go to the default reporter, the emit goes on.
    const fallback = vi.fn();
    vi.stubGlobal("reportError", fallback);
    const emitter = new Emitter<Events>({
      onHandlerError: () => {
        throw new Error("hook down");
      },
    });
    const seen: number[] = [];
    emitter.on("number", () => {
      throw boom;
    });
    emitter.on("number", (n) => seen.push(n));
    emitter.emit("number", 1);
    expect(seen).toEqual([1]);
    expect(fallback.mock.calls.map(([e]) => (e as Error).message)).toEqual(["boom", "hook down"]);
  });

  it("errorEventReporter emits an internal_error on the error event, without looping when an error handler throws", () => {
    const fallback = vi.fn();
    vi.stubGlobal("reportError", fallback);
    type WithError = { number: number; error: ByorError };
    const emitter: Emitter<WithError> = new Emitter({ onHandlerError: errorEventReporter(() => emitter) });
    const boom = new Error("boom");
    emitter.on("number", () => {
      throw boom;
    });
    // Nobody listens to error yet: the default reporter.
    emitter.emit("number", 1);
    expect(fallback).toHaveBeenCalledWith(boom);

    const errors: ByorError[] = [];
    emitter.on("error", (error) => errors.push(error));
    emitter.on("error", () => {
      throw new Error("error handler down");
    });
    emitter.emit("number", 2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "internal_error", message: 'a "number" handler threw: boom', cause: boom });
    // The error handler's own exception went to the default reporter, once.
    expect(fallback.mock.calls.map(([e]) => (e as Error).message)).toEqual(["boom", "error handler down"]);
  });
});
