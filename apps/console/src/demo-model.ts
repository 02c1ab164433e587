// `byor serve --demo` runs a scripted OpenAI-compatible model on 127.0.0.1 and prints the console URL with it in the
// fragment (`#token=…&demo=<base URL>&demo_model=<model>`): the console then offers it as a one-click provider.

/** The demo model a server announced: enough to connect it as an `openai-compatible` provider. */
export interface DemoModel {
  /** The OpenAI base URL the runtime calls, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  /** The model id it serves; its handle in list_models is `openai-compatible/<model>`. */
  model: string;
}

const KEY = "byor.demo";
export const DEMO_PARAMS = ["demo", "demo_model"] as const;

/**
 * Reads the demo model from fragment parameters. Only a loopback http(s) URL is accepted: the runtime will call it,
 * and a link should not be able to point this runtime's provider somewhere else.
 */
export function parseDemo(params: Partial<Record<(typeof DEMO_PARAMS)[number], string>>): DemoModel | undefined {
  const { demo, demo_model: model } = params;
  if (!demo || !model || !/^[\w.:/-]+$/.test(model)) return undefined;
  let url: URL;
  try {
    url = new URL(demo);
  } catch {
    return undefined;
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (!loopback || (url.protocol !== "http:" && url.protocol !== "https:")) return undefined;
  return { baseUrl: demo.replace(/\/+$/, ""), model };
}

/** The handle list_models gives the demo model once its provider is connected. */
export const demoHandle = (demo: DemoModel): string => `openai-compatible/${demo.model}`;

/** The demo model this tab was told about (kept for reloads, like the token), if any. */
export function loadDemo(taken: Partial<Record<(typeof DEMO_PARAMS)[number], string>>): DemoModel | undefined {
  const fromUrl = parseDemo(taken);
  if (fromUrl) {
    sessionStorage.setItem(KEY, JSON.stringify(fromUrl));
    return fromUrl;
  }
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as { baseUrl?: string; model?: string } | null;
    return stored ? parseDemo({ demo: stored.baseUrl, demo_model: stored.model }) : undefined;
  } catch {
    return undefined;
  }
}
