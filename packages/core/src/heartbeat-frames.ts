/** The client leg's heartbeat frames (byor.ping / byor.pong), serialised once for both ends. */
export const BYOR_PING = JSON.stringify({ type: "byor.ping" });
export const BYOR_PONG = JSON.stringify({ type: "byor.pong" });
