import type { SessionViews } from "./client-session.js";
import { StateMirror } from "./mirror.js";
import { StreamAssembler } from "./stream-assembler.js";

/** Both per-runtime views, for ClientSession's `views` option: `new ClientSession({ connect, views: SESSION_VIEWS })`. */
export const SESSION_VIEWS: SessionViews = { mirror: StateMirror, assembler: StreamAssembler };
