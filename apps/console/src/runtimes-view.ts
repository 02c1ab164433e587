import type { ByorRuntimeInfo, ClientSession, ScopeState } from "@byor/browser";
import { h } from "./dom.js";
import { presence, shortId } from "./format.js";

/** What the sidebar shows of a runtime: the server's info plus the device status of its watched conversations. */
export interface RuntimeSummary {
  info: ByorRuntimeInfo;
  cwd?: string | null;
  permissionMode?: string;
  processing: boolean;
  pendingApprovals: number;
}

export function summarize(info: ByorRuntimeInfo, session: ClientSession | undefined): RuntimeSummary {
  const states: ScopeState[] = session ? session.mirror(info.id).all() : [];
  // The device status is per conversation; the freshest one speaks for the device.
  const latest = states.filter((s) => s.deviceStatus).sort((a, b) => b.updatedAt - a.updatedAt)[0];
  const processing = states.some((s) => s.deviceStatus?.is_processing || (s.loopStatus && s.loopStatus.status !== "WAITING_ON_INPUT"));
  return {
    info,
    ...(latest?.deviceStatus ? { cwd: latest.deviceStatus.current_working_directory, permissionMode: latest.deviceStatus.current_permission_mode } : {}),
    processing: info.online && processing,
    pendingApprovals: states.reduce((n, s) => n + s.pendingApprovals.length, 0),
  };
}

export function renderRuntime(summary: RuntimeSummary, selected: boolean, onSelect: () => void): HTMLElement {
  const { info } = summary;
  const seen = presence(info);
  const row = (label: string, value: string) => h("div", { class: "kv" }, h("span", { class: "k" }, label), h("span", { class: "v" }, value));
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        class: `runtime${selected ? " selected" : ""}${info.online ? " online" : " offline"}`,
        "data-runtime-id": info.id,
        "aria-pressed": selected ? "true" : "false",
        onclick: onSelect,
      },
      h(
        "div",
        { class: "runtime-head" },
        h("span", { class: `dot ${info.online ? "on" : "off"}`, "aria-hidden": "true" }),
        h("span", { class: "runtime-name" }, info.connection_name),
        h("span", { class: `chip ${info.online ? "chip-online" : "chip-offline"}` }, info.online ? "online" : "offline"),
        summary.processing ? h("span", { class: "chip chip-processing" }, "processing") : null,
        summary.pendingApprovals
          ? h("span", { class: "chip chip-approval" }, `${summary.pendingApprovals} approval${summary.pendingApprovals > 1 ? "s" : ""}`)
          : null,
      ),
      h("div", { class: "kv", title: info.id }, h("span", { class: "k" }, "device"), h("span", { class: "v" }, shortId(info.id))),
      row("cwd", summary.cwd ?? "—"),
      row("mode", summary.permissionMode ?? "—"),
      row(seen.label, seen.value),
    ),
  );
}
