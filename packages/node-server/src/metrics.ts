import type { Metrics } from "@byor/hub";

/** What a scrape reads besides the counters. */
export interface MetricsGauges {
  node: string;
  connections: { runtimes: number; apps: number };
  /** Runtimes online on this node, and in the whole directory (every node). */
  runtimesOnline: { local: number; all: number };
  appSessions: number;
  /** Unacknowledged frames held for resumes, and their size (UTF-16 code units of their text). */
  replay: { frames: number; bytes: number };
  /** How old the last runtime frame from another node was when it arrived here (undefined: none yet, or one node). */
  backplaneLagMs: number | undefined;
}

const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function renderMetrics(metrics: Metrics, gauges: MetricsGauges): string {
  const lines: string[] = [];
  const node = `node="${label(gauges.node)}"`;
  const metric = (name: string, type: "counter" | "gauge", help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}{${[node, labels].filter(Boolean).join(",")}} ${value}`);
  };
  metric("byor_connections", "gauge", "Open WebSockets, by kind.", [
    ['kind="runtime"', gauges.connections.runtimes],
    ['kind="app"', gauges.connections.apps],
  ]);
  metric("byor_runtimes_online", "gauge", "Runtimes online: on this node, and on every node sharing the backplane.", [
    ['scope="node"', gauges.runtimesOnline.local],
    ['scope="all"', gauges.runtimesOnline.all],
  ]);
  metric("byor_app_sessions", "gauge", "App sessions, connected or parked for a resume.", [["", gauges.appSessions]]);
  metric("byor_events_total", "counter", "Runtime frames handled.", [["", metrics.events]]);
  metric("byor_deliveries_total", "counter", "Frames delivered to apps.", [["", metrics.deliveries]]);
  metric("byor_commands_total", "counter", "Commands relayed from apps to runtimes.", [["", metrics.commands]]);
  metric(
    "byor_commands_refused_total",
    "counter",
    "Commands refused, by byor.error code.",
    [...metrics.refusedCommands].map(([code, n]) => [`code="${label(code)}"`, n]),
  );
  metric(
    "byor_refusals_total",
    "counter",
    "Upgrades and registrations refused, by error.",
    [...metrics.refusals].map(([error, n]) => [`error="${label(error)}"`, n]),
  );
  metric("byor_replay_buffer_frames", "gauge", "Unacknowledged frames held for resumes.", [["", gauges.replay.frames]]);
  metric("byor_replay_buffer_bytes", "gauge", "Size of the frames held for resumes (UTF-16 code units).", [["", gauges.replay.bytes]]);
  if (gauges.backplaneLagMs !== undefined) {
    metric("byor_backplane_lag_seconds", "gauge", "Age of the last frame from another node when it arrived here.", [["", gauges.backplaneLagMs / 1000]]);
  }
  return `${lines.join("\n")}\n`;
}
