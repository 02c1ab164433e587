// What the provider form needs from list_connect_providers, and the connect_provider command it sends. No DOM.
import type { ConnectProviderCommand, ModelListEntry, ProviderEntry, ProviderField } from "@byor/protocol";
import type { DemoModel } from "./demo-model.js";

/** Shown first: the providers a first turn usually goes through. */
const FIRST = ["openai-compatible", "anthropic", "openai"];

/** The providers in the order the form lists them: the usual ones first, then by name. */
export function sortProviders(providers: readonly ProviderEntry[]): ProviderEntry[] {
  const rank = (p: ProviderEntry) => (FIRST.includes(p.id) ? FIRST.indexOf(p.id) : FIRST.length);
  return [...providers].sort((a, b) => rank(a) - rank(b) || a.display_name.localeCompare(b.display_name));
}

/** OAuth providers connect through a login flow the console cannot run (their tokens come from that flow). */
export const connectableHere = (provider: ProviderEntry): boolean => !provider.is_oauth;

export const isConnected = (provider: ProviderEntry): boolean => provider.connected.is_connected || provider.connected_providers.some((c) => c.is_connected);

/** The inputs a provider asks for, for one of its auth methods (the first when not given). */
export function providerInputs(provider: ProviderEntry, authMethodId?: string): { authMethodId?: string; fields: ProviderField[] } {
  const methods = provider.auth_methods ?? [];
  if (methods.length > 0) {
    const method = methods.find((m) => m.id === authMethodId) ?? methods[0]!;
    return { authMethodId: method.id, fields: method.fields };
  }
  return { fields: provider.fields ?? [] };
}

export type ConnectProvider = Omit<ConnectProviderCommand, "request_id">;

/**
 * connect_provider for the values typed into the form: trimmed, empty optional fields left out. Throws an Error
 * naming the first required field left empty, or a field the provider does not have.
 */
export function connectCommand(provider: ProviderEntry, values: Readonly<Record<string, string>>, authMethodId?: string): ConnectProvider {
  if (!connectableHere(provider)) throw new Error(`${provider.display_name} connects through a login flow (OAuth): connect it on the runtime's machine`);
  const inputs = providerInputs(provider, authMethodId);
  const known = new Set(inputs.fields.map((f) => f.key));
  const unknown = Object.keys(values).find((key) => !known.has(key));
  if (unknown !== undefined) throw new Error(`${provider.display_name} has no field "${unknown}"`);
  const fields: Record<string, string> = {};
  for (const field of inputs.fields) {
    const value = (values[field.key] ?? "").trim();
    if (value) fields[field.key] = value;
    else if (field.required) throw new Error(`${field.label} is required for ${provider.display_name}`);
  }
  return {
    type: "connect_provider",
    target: "local",
    provider_id: provider.id,
    ...(inputs.authMethodId !== undefined ? { auth_method_id: inputs.authMethodId } : {}),
    fields,
  };
}

/** connect_provider for the demo model: an OpenAI-compatible endpoint (it takes any key; the runtime sends one). */
export const demoConnectCommand = (demo: DemoModel): ConnectProvider => ({
  type: "connect_provider",
  target: "local",
  provider_id: "openai-compatible",
  fields: { baseUrl: demo.baseUrl, apiKey: "byor-demo" },
});

/**
 * The model to preselect after a (re)load: the one chosen before if still offered, else the catalog's default, else
 * the first one. Undefined when there is none (the runtime's own default then applies, and fails without a provider).
 */
export function pickModel(entries: readonly ModelListEntry[], current: string | undefined): string | undefined {
  if (current !== undefined && entries.some((e) => e.handle === current)) return current;
  return (entries.find((e) => e.isDefault) ?? entries[0])?.handle;
}
