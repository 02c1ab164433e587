export { run } from "./main.js";
export type { Io } from "./io.js";
export { validateTranscript, type TranscriptReport, type FrameProblem } from "./commands/validate.js";
