/**
 * The one line that starts the stock runtime against this server. `token` is written as given: pass
 * `"$BYOR_TOKEN"` to print a reference instead of the secret.
 */
export function lettaRemoteCommand(options: { baseUrl: string; token: string; envName: string }): string {
  return [
    `LETTA_BASE_URL=${options.baseUrl}`,
    "IGNORE_SELF_HOSTED_LISTENER_ERROR=1",
    `LETTA_API_KEY=${options.token}`,
    `letta remote --env-name ${options.envName} --backend local`,
  ].join(" ");
}
