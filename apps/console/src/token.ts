// Where the console gets the server's token. `byor serve` prints the console URL with the token in the fragment
// (`/#token=…`): browsers never send a fragment to the server, so it stays out of request lines and logs. The page
// takes it out of the address bar at once (out of history and screenshots too) and keeps it in sessionStorage, for
// this tab only, so a reload still works.

const KEY = "byor.token";

/** Removes `keys` from the URL's fragment (leaving the others) and returns their values. */
export function takeHashParams<K extends string>(keys: readonly K[]): Partial<Record<K, string>> {
  const params = new URLSearchParams(location.hash.slice(1));
  const taken: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = params.get(key);
    if (value === null) continue;
    taken[key] = value;
    params.delete(key);
  }
  if (Object.keys(taken).length > 0) {
    const rest = params.toString();
    history.replaceState(history.state, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
  }
  return taken;
}

/** The token from `#token=…` (removed from the URL), else the one this tab already had, else undefined. */
export function takeToken(): string | undefined {
  const fromUrl = takeHashParams(["token"]).token;
  if (fromUrl) {
    saveToken(fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
