// File and working-directory commands, answered over the in-memory tree with the real runtime's response shapes.
import type { RuntimeCommand, RuntimeEvent } from "@byor/protocol";
import type { MemoryFs } from "./memory-fs.js";

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Answers `command` if it is a device command the simulator knows; returns whether it did. */
export function handleDeviceCommand(command: RuntimeCommand, fs: MemoryFs, reply: (frame: RuntimeEvent) => void): boolean {
  const send = (frame: Record<string, unknown>) => reply(frame as unknown as RuntimeEvent);
  switch (command.type) {
    case "list_in_directory": {
      const rid = command.request_id !== undefined ? { request_id: command.request_id } : {};
      try {
        const { folders, files } = fs.list(command.path);
        const items = [...folders.map((name) => ({ name, dir: true })), ...(command.include_files ? files.map((name) => ({ name, dir: false })) : [])];
        const offset = Math.max(0, command.offset ?? 0);
        const page = command.limit !== undefined ? items.slice(offset, offset + command.limit) : items.slice(offset);
        const response: Record<string, unknown> = {
          type: "list_in_directory_response",
          path: command.path,
          folders: page.filter((i) => i.dir).map((i) => i.name),
          hasMore: offset + page.length < items.length,
          total: items.length,
          success: true,
          ...rid,
        };
        if (command.include_files) response.files = page.filter((i) => !i.dir).map((i) => i.name);
        send(response);
      } catch (err) {
        send({ type: "list_in_directory_response", path: command.path, folders: [], hasMore: false, success: false, error: message(err), ...rid });
      }
      return true;
    }
    case "read_file": {
      const encoding = command.encoding ?? "utf8";
      try {
        const text = fs.read(command.path);
        const content = encoding === "base64" ? Buffer.from(text, "utf8").toString("base64") : text;
        send({ type: "read_file_response", request_id: command.request_id, path: command.path, content, encoding, success: true });
      } catch (err) {
        send({ type: "read_file_response", request_id: command.request_id, path: command.path, content: null, encoding, success: false, error: message(err) });
      }
      return true;
    }
    case "write_file": {
      try {
        fs.write(command.path, command.content);
        send({ type: "write_file_response", request_id: command.request_id, path: command.path, success: true });
      } catch (err) {
        send({ type: "write_file_response", request_id: command.request_id, path: command.path, success: false, error: message(err) });
      }
      return true;
    }
    case "get_tree": {
      try {
        const { entries, hasMoreDepth } = fs.tree(command.path, command.depth);
        send({ type: "get_tree_response", path: command.path, request_id: command.request_id, entries, has_more_depth: hasMoreDepth, success: true });
      } catch (err) {
        send({
          type: "get_tree_response",
          path: command.path,
          request_id: command.request_id,
          entries: [],
          has_more_depth: false,
          success: false,
          error: message(err),
        });
      }
      return true;
    }
    case "search_files": {
      const files = fs.search(command.query, command.max_results ?? 5, command.cwd);
      send({ type: "search_files_response", request_id: command.request_id, files: files.map((path) => ({ path, type: "file" })), success: true });
      return true;
    }
    case "get_cwd_map":
      send({ type: "get_cwd_map_response", request_id: command.request_id, success: true, cwd_map: {}, boot_working_directory: fs.cwd });
      return true;
    default:
      return false;
  }
}
