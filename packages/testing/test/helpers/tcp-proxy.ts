// A TCP pass-through on 127.0.0.1 in front of a server, so a test can cut one runtime's WebSocket the way a network
// (or a server-side terminate()) does: the server's end is destroyed first, then the runtime's, no close frame.
// The runtime is pointed at the proxy; the server builds the runtime's wsUrl from the Host header, so the socket
// (and every reconnect) goes through the proxy too.
import { connect, createServer, type Socket } from "node:net";

interface Pair {
  client: Socket;
  upstream: Socket;
  /** The first line of the first request on this connection, e.g. `GET /v1/environments/socket?… HTTP/1.1`. */
  firstLine?: string;
}

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: use as the runtime's LETTA_BASE_URL. */
  readonly url: string;
  readonly port: number;
  /** Runtime WebSocket connections opened through the proxy so far (the first one plus each reconnect). */
  readonly runtimeSocketsOpened: number;
  /** Cuts the open runtime WebSocket connections (server side first); returns how many were cut. */
  dropRuntimeSockets(): number;
  close(): Promise<void>;
}

const RUNTIME_SOCKET = /^GET \/v1\/environments\/socket[?\s]/;

export async function createTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let runtimeSocketsOpened = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    client.once("data", (chunk: Buffer) => {
      pair.firstLine = chunk.toString("latin1", 0, Math.min(chunk.length, 512)).split("\r\n")[0];
      if (RUNTIME_SOCKET.test(pair.firstLine ?? "")) runtimeSocketsOpened++;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const cut = () => {
      pairs.delete(pair);
      upstream.destroy();
      client.destroy();
    };
    client.on("close", cut);
    upstream.on("close", cut);
    client.on("error", cut);
    upstream.on("error", cut);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get runtimeSocketsOpened() {
      return runtimeSocketsOpened;
    },
    dropRuntimeSockets() {
      let cut = 0;
      for (const pair of [...pairs]) {
        if (!RUNTIME_SOCKET.test(pair.firstLine ?? "")) continue;
        pairs.delete(pair);
        pair.upstream.destroy();
        pair.client.destroy();
        cut++;
      }
      return cut;
    },
    close() {
      for (const pair of pairs) {
        pair.upstream.destroy();
        pair.client.destroy();
      }
      pairs.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
