export { run } from "./main.js";
export type { Io } from "./io.js";
export {
  validateTranscript,
  type TranscriptReport,
  type FrameProblem,
  type FrameRecord,
  type LocatedIssue,
  type ValidateDirection,
} from "./commands/validate.js";
