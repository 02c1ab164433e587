/**
 * One script for both tools: the simulated runtime plays it directly, and `scenarioToModelReplies` turns it into the
 * replies of the scripted model, so the real runtime plays the same turns offline.
 */

/** What the agent does in answer to one user input. */
export interface ScenarioTurn {
  /** Reasoning streamed before the text, chunk by chunk (`reasoning_content` deltas for the model). */
  reasoning?: string | readonly string[];
  /** Assistant text, one chunk per element (a string is one chunk). */
  text?: string | readonly string[];
  /** A tool call made after the text. The turn waits for its approval unless `requiresApproval` is false. */
  toolCall?: ScenarioToolCall;
  /** What the agent does once the tool returned (approved or denied). Without it the turn ends after the tool. */
  then?: ScenarioTurn;
  /** The model call fails instead: the simulated runtime reports it as a `loop_error`. */
  error?: { status?: number; message: string };
  /** Pause before each chunk, in ms (0 by default). Use it to leave room for an abort. */
  chunkDelayMs?: number;
  /**
   * Simulated runtime only: send a `usage_statistics` delta (true by default, as with a model; the real runtime's
   * deterministic executor sends none).
   */
  usage?: boolean;
}

export interface ScenarioToolCall {
  name: string;
  /** The tool arguments (for Bash: `{ command, description }`). */
  input: Record<string, unknown>;
  /** Tool call id; generated (`call_<n>`) when left out. */
  id?: string;
  /** Simulated runtime only: whether the call waits for an approval (true by default, like Bash in `standard` mode). */
  requiresApproval?: boolean;
  /** Simulated runtime only: the tool's output when allowed ("" by default). */
  result?: string;
}

export interface Scenario {
  /** Model name, used as `openai-compatible/<model>` with the real runtime. */
  model?: string;
  turns: readonly ScenarioTurn[];
}

export const chunksOf = (value: string | readonly string[] | undefined): string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : [...value];
