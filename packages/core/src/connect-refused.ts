import { ByorError, type ByorErrorCode } from "@byor/protocol";
import type { CloseInfo } from "./transport.js";

/**
 * What a ClientSession's `connect` throws when it learned the server refused the attempt (e.g. a page that checked
 * its token after a failed upgrade): the session counts the attempt as closed with `close`, so a fatal code
 * (4401, 4403) ends it instead of retrying. Any other rejection counts as a dropped connection (1006).
 */
export class ConnectRefused extends ByorError {
  constructor(
    code: ByorErrorCode,
    message: string,
    readonly close: CloseInfo,
  ) {
    super(code, message);
  }
}
