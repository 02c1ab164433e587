// The fault proxy itself, against a TCP echo server: it passes bytes intact, and its faults do what they say.
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy, type FaultProxyOptions } from "../helpers/fault-proxy.js";

let echo: Server | undefined;
let proxy: FaultProxy | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
  echo = proxy = undefined;
});

async function setup(options: Partial<FaultProxyOptions> = {}): Promise<FaultProxy> {
  echo = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo!.listen(0, "127.0.0.1", resolve));
  // random() = 0.5 picks the server → app direction for a cut and for a half-open connection.
  proxy = await createFaultProxy({ targetPort: (echo.address() as { port: number }).port, random: () => 0.5, ...options });
  return proxy;
}

/** A client through the proxy that collects what it receives and how it ended. */
function client(port: number) {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  const chunks: Buffer[] = [];
  let waiter: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    waiter?.();
  });
  let error: (Error & { code?: string }) | undefined;
  socket.on("error", (e) => (error = e));
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  const received = () => Buffer.concat(chunks);
  return {
    socket,
    received,
    closed,
    error: () => error,
    /** Resolves once `n` bytes came in. */
    bytes: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => received().length >= n && (resolve(), (waiter = undefined));
        waiter = check;
        check();
      }),
  };
}

it("without faults, bytes pass intact and in order both ways", async () => {
  const p = await setup();
  const c = client(p.port);
  const payload = randomBytes(512 * 1024);
  c.socket.end(payload);
  await c.closed;
  expect(c.received().equals(payload)).toBe(true);
});

it("a cut lets exactly the armed number of bytes through, then closes both sides", async () => {
  const p = await setup({ cutAfterBytes: { down: [100, 100], up: [100, 100] } });
  const c = client(p.port);
  c.socket.write("hi");
  await c.bytes(2); // the connection carried data both ways: it can be hit
  expect(p.inject("cut")).toBe(true);
  c.socket.write(randomBytes(1000));
  await c.closed;
  expect(c.received().length).toBe(2 + 100);
  expect(p.counts.cut).toBe(1);
});

it("a reset sends the app an RST", async () => {
  const p = await setup();
  const c = client(p.port);
  c.socket.write("hi");
  await c.bytes(2);
  expect(p.inject("reset")).toBe(true);
  await c.closed;
  expect(c.error()?.code).toBe("ECONNRESET");
  expect(p.counts.reset).toBe(1);
});

it("an outage cuts the open connection and refuses new ones until healed", async () => {
  const p = await setup({ outageMs: [60_000, 60_000] });
  const c = client(p.port);
  c.socket.write("hi");
  await c.bytes(2);
  expect(p.inject("outage")).toBe(true);
  await c.closed;

  const refused = client(p.port);
  refused.socket.write("anyone?");
  await refused.closed;
  expect(refused.received().length).toBe(0);

  p.heal();
  const after = client(p.port);
  after.socket.end("back");
  await after.closed;
  expect(after.received().toString()).toBe("back");
  expect(p.counts.outage).toBe(1);
});

it("nothing to hit, nothing injected", async () => {
  const p = await setup();
  expect(p.inject("cut")).toBe(false);
  expect(p.counts.cut).toBe(0);
});
