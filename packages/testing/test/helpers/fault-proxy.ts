// A TCP pass-through on 127.0.0.1 that injects network faults into the connections it carries, chosen by a seeded
// PRNG: delays and stalls (one or both directions stop forwarding for a while, in order, nothing lost), cuts after a
// random number of bytes (often mid-frame: both sides destroyed, no close frame), resets (RST), half-open
// connections (one direction drops everything from then on, the other keeps going) and outages (every connection cut
// and new ones refused for a while). One proxy per app, so an outage hits one app only.
import { connect, createServer, type Server, type Socket } from "node:net";
import { between, pick } from "./seeded-random.js";

export const FAULT_KINDS = ["delay", "stall", "cut", "reset", "half_open", "outage"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultProxyOptions {
  targetPort: number;
  /** Every choice (which fault, when, how long, where) is drawn from it. */
  random: () => number;
  /** Relative frequency of each kind (default: DEFAULT_FAULT_WEIGHTS). */
  weights?: Readonly<Record<FaultKind, number>>;
  /** Time between two faults on this proxy, uniform in [min, max] ms. */
  gapMs?: readonly [number, number];
  /** How long a stall holds both directions (ms); past the peers' heartbeat timeouts it kills the connection. */
  stallMs?: readonly [number, number];
  /** How long a delay holds one direction (ms). */
  delayMs?: readonly [number, number];
  /** How long an outage refuses connections (ms); past the server's park time the session expires. */
  outageMs?: readonly [number, number];
  /**
   * Bytes that still pass before a cut, server → app and app → server (the app sends little: acks and pings, so
   * its range is short, or a cut would wait seconds for its bytes).
   */
  cutAfterBytes?: { down: readonly [number, number]; up: readonly [number, number] };
  /** A half-open connection is destroyed after this long if its peers have not ended it (bounds what it holds). */
  halfOpenMaxMs?: number;
  /** Told after each fault took effect. */
  onFault?: (kind: FaultKind) => void;
}

export const DEFAULT_FAULT_WEIGHTS: Readonly<Record<FaultKind, number>> = { delay: 5, stall: 2, cut: 3, reset: 1, half_open: 1, outage: 0.3 };

export interface FaultProxy {
  /** `ws://127.0.0.1:<port>` prefix for URLs: the proxy's port. */
  readonly port: number;
  /** Faults that took effect, by kind. */
  readonly counts: Readonly<Record<FaultKind, number>>;
  /** TCP connections accepted (including those refused during an outage). */
  readonly connections: number;
  /** Starts injecting. */
  start(): void;
  /** Injects one fault of this kind now (on the newest healthy connection); false if there is none to hit. */
  inject(kind: FaultKind): boolean;
  /** Stops injecting and heals: held data flows again, armed cuts are disarmed, connections are accepted again. */
  heal(): void;
  close(): Promise<void>;
}

/** One direction of a connection. */
class Pipe {
  readonly #queue: Buffer[] = [];
  #holdUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #waitingDrain = false;
  /** Half-open: this direction drops everything. */
  dead = false;
  /** A cut armed: this many more bytes pass, then the connection is destroyed. */
  cutAfter: number | undefined;
  bytes = 0;
  /** The sender ended its side: pass the end on once the queue is through. */
  #ended = false;

  constructor(
    readonly from: Socket,
    readonly to: Socket,
    readonly onCut: () => void,
  ) {
    from.on("data", (chunk: Buffer) => {
      if (this.dead) return;
      this.#queue.push(chunk);
      this.pump();
    });
    from.on("end", () => {
      this.#ended = true;
      this.pump();
    });
  }

  hold(ms: number): void {
    this.#holdUntil = Math.max(this.#holdUntil, Date.now() + ms);
    this.pump();
  }

  heal(): void {
    this.#holdUntil = 0;
    this.cutAfter = undefined;
    this.pump();
  }

  stop(): void {
    this.dead = true;
    this.#queue.length = 0;
    clearTimeout(this.#timer);
  }

  pump(): void {
    if (this.dead) return void (this.#queue.length = 0);
    const wait = this.#holdUntil - Date.now();
    if (wait > 0) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.pump(), wait);
      return;
    }
    while (this.#queue.length > 0 && !this.dead) {
      const chunk = this.#queue.shift()!;
      if (this.cutAfter !== undefined && chunk.length >= this.cutAfter) {
        // The first bytes go through (a frame cut in the middle), then the wire is gone.
        const head = chunk.subarray(0, this.cutAfter);
        this.bytes += head.length;
        this.dead = true;
        this.to.write(head, () => this.onCut());
        return;
      }
      if (this.cutAfter !== undefined) this.cutAfter -= chunk.length;
      this.bytes += chunk.length;
      if (!this.to.write(chunk) && !this.#waitingDrain) {
        // Backpressure: stop reading the sender until the receiver drained.
        this.#waitingDrain = true;
        this.from.pause();
        this.to.once("drain", () => {
          this.#waitingDrain = false;
          this.from.resume();
        });
      }
    }
    if (this.#ended && this.#queue.length === 0 && !this.dead) this.to.end();
  }
}

interface Pair {
  client: Socket;
  upstream: Socket;
  up: Pipe;
  down: Pipe;
  openedAt: number;
  /** A fault already ended or crippled it: the next fault goes to a healthy connection. */
  faulted: boolean;
  destroy(reset?: boolean): void;
}

export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = options.random;
  const weights = options.weights ?? DEFAULT_FAULT_WEIGHTS;
  const [gapMin, gapMax] = options.gapMs ?? [10, 80];
  const [stallMin, stallMax] = options.stallMs ?? [50, 1200];
  const [delayMin, delayMax] = options.delayMs ?? [5, 80];
  const [outageMin, outageMax] = options.outageMs ?? [100, 2500];
  const cutAfterBytes = options.cutAfterBytes ?? { down: [0, 8192], up: [0, 160] };
  const halfOpenMaxMs = options.halfOpenMaxMs ?? 10_000;
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const pairs = new Set<Pair>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  let running = false;
  let outageUntil = 0;
  let next: NodeJS.Timeout | undefined;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const count = (kind: FaultKind) => {
    counts[kind]++;
    options.onFault?.(kind);
  };

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    connections++;
    client.on("error", () => {});
    if (Date.now() < outageUntil) return void client.destroy();
    const upstream = connect({ port: options.targetPort, host: "127.0.0.1", allowHalfOpen: true });
    upstream.on("error", () => {});
    let done = false;
    const pair: Pair = {
      client,
      upstream,
      openedAt: Date.now(),
      faulted: false,
      up: undefined as unknown as Pipe,
      down: undefined as unknown as Pipe,
      destroy(reset = false) {
        if (done) return;
        done = true;
        pairs.delete(pair);
        pair.up.stop();
        pair.down.stop();
        for (const socket of [upstream, client]) {
          if (reset && !socket.destroyed && socket.readyState === "open") socket.resetAndDestroy();
          else socket.destroy();
        }
      },
    };
    const cut = () => {
      if (!done) count("cut");
      pair.destroy();
    };
    pair.up = new Pipe(client, upstream, cut);
    pair.down = new Pipe(upstream, client, cut);
    pairs.add(pair);
    // Ends pass through (after what is queued); a socket closing (both ends done, or an error) ends the pair.
    for (const socket of [client, upstream]) socket.on("close", () => pair.destroy());
  });

  const target = (): Pair | undefined => {
    // The newest healthy connection that carried data both ways (past the upgrade's first bytes).
    let found: Pair | undefined;
    for (const pair of pairs) if (!pair.faulted && pair.up.bytes > 0 && pair.down.bytes > 0 && (!found || pair.openedAt >= found.openedAt)) found = pair;
    return found;
  };

  const inject = () => {
    next = undefined;
    if (!running) return;
    // During an outage, and while no connection is up to hit, no fault is drawn.
    if (Date.now() >= outageUntil && target()) injectNow(pick(random, weights));
    next = setTimeout(inject, between(random, gapMin, gapMax));
  };

  const injectNow = (kind: FaultKind): boolean => {
    const pair = target();
    if (!pair) return false;
    switch (kind) {
      case "outage": {
        outageUntil = Date.now() + between(random, outageMin, outageMax);
        for (const p of [...pairs]) p.destroy();
        count("outage");
        return true;
      }
      case "delay": {
        (random() < 0.5 ? pair.up : pair.down).hold(between(random, delayMin, delayMax));
        count("delay");
        return true;
      }
      case "stall": {
        const ms = between(random, stallMin, stallMax);
        pair.up.hold(ms);
        pair.down.hold(ms);
        count("stall");
        return true;
      }
      case "cut": {
        // Counted when it happens (the armed bytes may never pass if the connection ends first).
        pair.faulted = true;
        const down = random() < 0.75;
        const [min, max] = down ? cutAfterBytes.down : cutAfterBytes.up;
        const pipe = down ? pair.down : pair.up;
        pipe.cutAfter = between(random, min, max);
        pipe.pump();
        return true;
      }
      case "reset": {
        pair.faulted = true;
        pair.destroy(true);
        count("reset");
        return true;
      }
      case "half_open": {
        pair.faulted = true;
        (random() < 0.5 ? pair.up : pair.down).stop();
        count("half_open");
        later(halfOpenMaxMs, () => pair.destroy());
        return true;
      }
    }
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    counts,
    get connections() {
      return connections;
    },
    start() {
      if (running) return;
      running = true;
      next = setTimeout(inject, between(random, gapMin, gapMax));
    },
    inject: injectNow,
    heal() {
      running = false;
      clearTimeout(next);
      outageUntil = 0;
      for (const pair of pairs) {
        pair.up.heal();
        pair.down.heal();
      }
    },
    close() {
      running = false;
      clearTimeout(next);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const pair of [...pairs]) pair.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
