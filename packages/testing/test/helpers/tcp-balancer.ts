// A TCP balancer on 127.0.0.1 in front of several servers, the way a load balancer with health-by-connect works: each
// new connection goes to the first backend of the list that accepts it (a refused one is skipped, the next tried).
// Nothing is sticky: once a backend dies, its connections are cut (both ends) and the reconnects land on the next
// live one. The runtime is pointed at the balancer; the server builds the runtime's wsUrl from the Host header, so
// the runtime's socket (and every reconnect) goes through the balancer too.
import { connect, createServer, type Socket } from "node:net";

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  /** The backend port this connection went to (once connected). */
  backend: number | undefined;
  /** The first line of the first request, e.g. `GET /v1/environments/socket?… HTTP/1.1`. */
  firstLine?: string;
}

export interface BalancedConnection {
  /** The backend port it reached. */
  backend: number;
  /** When it was forwarded (Date.now()). */
  at: number;
  /** The first request line (when the client had sent it by then), e.g. `POST /v1/environments/register HTTP/1.1`. */
  firstLine: string | undefined;
}

export interface TcpBalancer {
  /** `http://127.0.0.1:<port>`: the base URL to give a runtime or an app. */
  readonly url: string;
  readonly port: number;
  /** Connections forwarded so far, in order. */
  readonly forwarded: readonly BalancedConnection[];
  /** Runtime WebSocket connections forwarded so far (each with the backend it reached). */
  runtimeSockets(): BalancedConnection[];
  /** Another list of backends for the connections from now on (open ones stay where they are). */
  setBackends(ports: readonly number[]): void;
  close(): Promise<void>;
}

const RUNTIME_SOCKET = /^GET \/v1\/environments\/socket[?\s]/;

/** A balancer over `backends` (ports on 127.0.0.1, in order of preference). */
export async function createTcpBalancer(initial: readonly number[]): Promise<TcpBalancer> {
  let backends = [...initial];
  const pairs = new Set<Pair>();
  const forwarded: BalancedConnection[] = [];
  const server = createServer((client) => {
    const pair: Pair = { client, upstream: undefined, backend: undefined };
    pairs.add(pair);
    // Held until a backend accepts: what the client sends meanwhile stays buffered in the socket.
    client.pause();
    let record: BalancedConnection | undefined;
    client.once("data", (chunk: Buffer) => {
      pair.firstLine = chunk.toString("latin1", 0, Math.min(chunk.length, 512)).split("\r\n")[0];
      if (record) record.firstLine = pair.firstLine;
    });
    const cut = () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
      client.destroy();
    };
    client.on("error", cut);
    client.on("close", cut);
    const order = backends;
    const attempt = (index: number): void => {
      if (client.destroyed) return;
      if (index >= order.length) return cut(); // every backend refused: the client sees its connection closed
      const port = order[index]!;
      const upstream = connect(port, "127.0.0.1");
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        if (client.destroyed) return void upstream.destroy();
        pair.upstream = upstream;
        pair.backend = port;
        record = { backend: port, at: Date.now(), firstLine: pair.firstLine };
        forwarded.push(record);
        upstream.on("close", cut);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on("error", () => {
        if (connected) return cut();
        upstream.destroy();
        attempt(index + 1); // refused (the backend is down): the next one
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    forwarded,
    runtimeSockets: () => forwarded.filter((c) => RUNTIME_SOCKET.test(c.firstLine ?? "")),
    setBackends(ports) {
      backends = [...ports];
    },
    close() {
      for (const pair of pairs) {
        pair.upstream?.destroy();
        pair.client.destroy();
      }
      pairs.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
