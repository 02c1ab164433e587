export { chunksOf, type Scenario, type ScenarioTurn, type ScenarioToolCall } from "./scenario.js";
export {
  createScriptedModel,
  scenarioToModelReplies,
  type ChatCompletionRequest,
  type ModelReply,
  type ModelToolCall,
  type RecordedModelRequest,
  type ReplySource,
  type ScriptedModel,
  type ScriptedModelOptions,
} from "./scripted-model.js";
export {
  createSimulatedRuntime,
  REPLACED_REASON,
  type FrameRecord,
  type SimulatedRuntime,
  type SimulatedRuntimeEvents,
  type SimulatedRuntimeOptions,
  type SimulatedRuntimeState,
  type StopReason,
  type TurnSource,
} from "./simulated/runtime.js";
export { MemoryFs, type TreeEntry } from "./simulated/memory-fs.js";
