import type { Issue } from "@byor/protocol";
import type { ValidateDirection } from "./directions.js";

/** An issue, with the column where its value starts on the line when that could be found. */
export type LocatedIssue = Issue & { column?: number };

export interface FrameProblem {
  file: string;
  /** 1-based; 0 when the problem is the file itself (`unreadable`). */
  line: number;
  /**
   * 1-based column, in characters, of what is wrong when no issue locates it: where the line stops being JSON, or
   * the frame's `type` when it is unknown or goes the other way.
   */
  column?: number;
  /** The frame's `type`, when it has one. */
  type?: string;
  code: string;
  message: string;
  issues: readonly LocatedIssue[];
  /** Problems found beyond `issues` and left out (see `DecodeError.moreIssues`); absent when none. */
  moreIssues?: number;
}

export interface TranscriptReport {
  files: number;
  frames: number;
  valid: number;
  invalid: number;
  problems: FrameProblem[];
}

/** One frame as checked: what a format that lists every frame (JUnit) needs. */
export interface FrameRecord {
  file: string;
  line: number;
  type?: string;
  /** Absent when the frame is valid. */
  problem?: FrameProblem;
}

/** One input (a file, or stdin) as checked. */
export interface InputRecord {
  /** Its name as given (`<stdin>` for `-`). */
  file: string;
  /** Every frame, in order; only collected for the formats that list them (see `Format.everyFrame`). */
  frames: FrameRecord[];
  /** Why it could not be read (to the end): a problem of code `unreadable`, line 0. */
  unreadable?: FrameProblem;
}

/** Everything a format prints. */
export interface ValidationRun {
  direction: ValidateDirection;
  inputs: readonly InputRecord[];
  report: TranscriptReport;
  /** Inputs that could not be read: counted apart from invalid frames. */
  unreadable: number;
}

export const runOk = (run: ValidationRun): boolean => run.report.invalid === 0 && run.unreadable === 0;

/** `update_loop_status (invalid_message)`, or the code alone for a frame without a type. */
export const problemTitle = (p: FrameProblem): string => (p.type !== undefined ? `${p.type} (${p.code})` : p.code);

/** `12 frames in 2 files: 10 valid, 2 invalid` (and the unreadable files, when there are some). */
export function summaryLine(run: ValidationRun): string {
  const { report, unreadable } = run;
  const unread = unreadable ? `, ${unreadable} unreadable file${unreadable === 1 ? "" : "s"}` : "";
  return `${report.frames} frames in ${report.files} file${report.files === 1 ? "" : "s"}: ${report.valid} valid, ${report.invalid} invalid${unread}`;
}
