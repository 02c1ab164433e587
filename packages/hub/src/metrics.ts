/**
 * Counters of one node. They only go up; a server renders them (node-server: Prometheus text at
 * `GET /byor/v1/metrics`, with gauges read at each scrape).
 */
export class Metrics {
  /** Runtime frames this node handled (its runtimes' and, with a backplane, other nodes'). */
  events = 0;
  /** Frames delivered to apps (one event to ten apps: ten). */
  deliveries = 0;
  /** byor.send frames relayed to a runtime (here, or to the node holding it). */
  commands = 0;
  /** Commands refused (invalid, runtime offline, too many pending, …), by byor.error code. */
  readonly refusedCommands = new Map<string, number>();
  /** Upgrades and registrations refused, by error (unauthorized, forbidden, too_many_connections, …). */
  readonly refusals = new Map<string, number>();

  refusal(error: string): void {
    this.refusals.set(error, (this.refusals.get(error) ?? 0) + 1);
  }

  commandRefused(code: string): void {
    this.refusedCommands.set(code, (this.refusedCommands.get(code) ?? 0) + 1);
  }
}
