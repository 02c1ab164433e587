// A resume over a real `ws` socket of createByorServer (found by the fault-proxy suite): the hello that resumes a
// parked session is handled once. The handle that received it retires and hands its socket to the parked session
// while that very frame is being dispatched; the parked session must not see the frame again (it would answer
// `invalid_state: byor.hello must be the first frame of a connection`).
import { afterEach, expect, it } from "vitest";
import { startServer } from "../../../node-server/test/helpers/server.js";

let server: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(async () => {
  await server?.server.close();
  server = undefined;
});

it("a resumed session answers its hello with one welcome and no byor.error", async () => {
  server = await startServer();
  const first = await server.app();
  first.send({ type: "byor.hello", seq_ack: true });
  const welcome = await first.next((f) => f.type === "byor.welcome");
  // Parked once the server sees the socket go; if it has not yet, the resume replaces the old socket: either way a resume.
  first.ws.terminate();
  await first.closed;

  const second = await server.app();
  second.send({ type: "byor.hello", seq_ack: true, resume: { session_id: welcome.session_id, last_seq: 0 } });
  await second.next((f) => f.type === "byor.welcome");
  // A barrier: the pong is written after anything the hello caused.
  second.send({ type: "byor.ping" });
  await second.next((f) => f.type === "byor.pong");
  expect(second.received.map((f) => f.type)).toEqual(["byor.welcome", "byor.pong"]);
  expect(second.received[0]).toMatchObject({ resumed: true, session_id: welcome.session_id });
});
