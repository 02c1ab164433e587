import { toDisposable, type Disposable } from "@byor/core";
import { globals, type EventTargetLike } from "./platform.js";

/**
 * What happened to the page:
 * - `visible` / `hidden`: `visibilitychange`;
 * - `online` / `offline`: the browser's network state;
 * - `pageshow`: the page came back from the back/forward cache (`persisted`), or was shown again;
 * - `pagehide`: the page is going into the back/forward cache (`persisted`): open sockets would keep it out.
 */
export type PageEvent = "visible" | "hidden" | "online" | "offline" | "pageshow" | "pagehide";

/** The page's state and changes, as the client sees them. Inject one in tests, or outside a window. */
export interface PageSignals {
  /** Whether the page is visible now. */
  visible(): boolean;
  /** Whether the browser believes it has a network (`navigator.onLine`). */
  online(): boolean;
  watch(listener: (event: PageEvent) => void): Disposable;
}

/** The real page: `document.visibilityState`, `navigator.onLine` and the window's events. Outside a window
 * (a worker, Node) whatever is missing counts as visible and online, with no events. */
export function browserPage(): PageSignals {
  const g = globals();
  return {
    visible: () => (g.document?.visibilityState ?? "visible") !== "hidden",
    online: () => g.navigator?.onLine !== false,
    watch(listener) {
      const undo: (() => void)[] = [];
      const on = (target: EventTargetLike | undefined, type: string, handler: (event: { persisted?: boolean }) => void) => {
        if (!target?.addEventListener) return;
        target.addEventListener(type, handler);
        undo.push(() => target.removeEventListener(type, handler));
      };
      const window: EventTargetLike | undefined = g.addEventListener ? (g as unknown as EventTargetLike) : undefined;
      on(g.document, "visibilitychange", () => listener(g.document?.visibilityState === "hidden" ? "hidden" : "visible"));
      on(window, "online", () => listener("online"));
      on(window, "offline", () => listener("offline"));
      on(window, "pageshow", (event) => {
        if (event.persisted) listener("pageshow");
      });
      on(window, "pagehide", (event) => {
        if (event.persisted) listener("pagehide");
      });
      return toDisposable(() => undo.forEach((fn) => fn()));
    },
  };
}
