import { runOk, type ValidationRun } from "../report.js";

/** `{ ok, direction, files, frames, valid, invalid, problems }`: the report, as JSON. */
export const renderJson = (run: ValidationRun): string => `${JSON.stringify({ ok: runOk(run), direction: run.direction, ...run.report }, null, 2)}\n`;
