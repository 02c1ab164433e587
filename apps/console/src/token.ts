// Where the console gets the server's token. `byor serve` prints the console URL with the token in the fragment
// (`/#token=…`): browsers never send a fragment to the server, so it stays out of request lines and logs. The page
// takes it out of the address bar at once (out of history and screenshots too) and keeps it in sessionStorage, for
// this tab only, so a reload still works.

const KEY = "byor.token";

/** The token from `#token=…` (removed from the URL), else the one this tab already had, else undefined. */
export function takeToken(): string | undefined {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromUrl = params.get("token");
  if (fromUrl) {
    params.delete("token");
    const rest = params.toString();
    history.replaceState(history.state, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
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
