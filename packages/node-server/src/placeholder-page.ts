import { PATHS } from "./paths.js";

/** The page at `/` when this server has no console build (`console: false`, or built without it). */
export const placeholderPage = (): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BYOR server</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .25rem}</style>
</head>
<body>
<h1>BYOR server</h1>
<p>This server is running. Its web console is <strong>not built</strong> into this copy (build the repository with
<code>pnpm build</code>, or the server was started with <code>console: false</code>); this page is a placeholder.</p>
<p>The runtimes connected to this server, as JSON: <a href="${PATHS.runtimes}">${PATHS.runtimes}</a>.
It needs the server's token, as a header: <code>curl -H "Authorization: Bearer $TOKEN" http://HOST${PATHS.runtimes}</code>
(or append <code>?token=…</code> to the link).</p>
<p>Apps connect to the client endpoint, a WebSocket at <code>${PATHS.clientSocket}</code>; see PROTOCOL.md in the BYOR SDK.</p>
</body>
</html>
`;
