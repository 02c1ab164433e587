import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeCommandData, escapeCommandProperty, workflowCommand } from "../src/format/github.js";
import { xmlAttribute, xmlAttributes, xmlText } from "../src/format/xml.js";
import { byor, parseWorkflowCommand, parseXml, scratch, type XmlElement } from "./byor.js";

const fixtures = resolve(import.meta.dirname, "../../../fixtures/real-runtime-0.32.18");
const fixtureLines = readdirSync(fixtures)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((f) => readFileSync(join(fixtures, f), "utf8").split("\n").filter(Boolean));
const realFrame = (type: string) => fixtureLines.find((l) => JSON.parse(l).type === type)!;

const { dir, file } = scratch("byor-validate-formats-");

// One transcript with a frame of each kind of outcome.
const status = JSON.parse(realFrame("update_loop_status"));
const napping = JSON.stringify({ ...status, loop_status: { ...status.loop_status, status: "NAPPING" } });
const mixed = ['{"type":"ping"}', napping, "", '{"type": "ping", oops}', '{"type":"make_coffee"}', realFrame("update_loop_status")];
const mixedPath = file("mixed.jsonl", mixed);
const emptyPath = file("empty.jsonl", []);
const missingPath = join(dir, "missing.jsonl");

const children = (el: XmlElement, tag: string) => el.children.filter((c) => c.tag === tag);
const int = (el: XmlElement, name: string) => Number(el.attrs[name]);

describe("byor validate --format junit", () => {
  const r = byor(["validate", "--format", "junit", "--direction", "event", mixedPath, emptyPath, missingPath]);
  const root = parseXml(r.out);

  it("is well-formed XML with one testsuite per input, in order, and exits 1", () => {
    expect(r.code).toBe(1);
    expect(r.out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.tag).toBe("testsuites");
    expect(root.attrs.name).toBe("byor validate");
    expect(children(root, "testsuite").map((s) => s.attrs.name)).toEqual([mixedPath, emptyPath, missingPath]);
  });

  it("has one testcase per frame (blank lines are not frames), named by line and type", () => {
    const [suite] = children(root, "testsuite");
    const cases = children(suite!, "testcase");
    expect(cases.map((c) => c.attrs.name)).toEqual([
      "line 1: ping",
      "line 2: update_loop_status",
      "line 4",
      "line 5: make_coffee",
      "line 6: update_loop_status",
    ]);
    for (const c of cases) {
      expect(c.attrs.classname).toBe(mixedPath);
      expect(c.attrs.file).toBe(mixedPath);
    }
    expect(cases.map((c) => c.attrs.line)).toEqual(["1", "2", "4", "5", "6"]);
  });

  it("gives each invalid frame one failure with its code, message and located issues", () => {
    const cases = children(children(root, "testsuite")[0]!, "testcase");
    const failures = cases.map((c) => children(c, "failure"));
    expect(failures.map((f) => f.length)).toEqual([0, 1, 1, 1, 0]);
    const [nap, oops, coffee] = [failures[1]![0], failures[2]![0], failures[3]![0]];
    expect(nap!.attrs.type).toBe("invalid_message");
    expect(nap!.attrs.message).toMatch(/^invalid update_loop_status event: \/loop_status\/status: expected one of "SENDING_API_REQUEST"/);
    const column = napping.indexOf('"NAPPING"') + 1;
    expect(nap!.text).toBe(`${mixedPath}:2:${column}: /loop_status/status: expected ${nap!.attrs.message!.split("expected ")[1]}`);
    expect(oops!.attrs.type).toBe("invalid_json");
    expect(oops!.attrs.message).toMatch(/^frame is not valid JSON/);
    expect(oops!.text).toMatch(new RegExp(`^${mixedPath}:4:${mixed[3]!.indexOf("oops") + 1}: frame is not valid JSON`));
    expect(coffee!.attrs).toMatchObject({ type: "unknown_type", message: '"make_coffee" is not a type of the protocol' });
    expect(coffee!.text).toBe(`${mixedPath}:5:${mixed[4]!.indexOf('"make_coffee"') + 1}: "make_coffee" is not a type of the protocol`);
  });

  it("counts tests, failures and errors per suite and in all, and they match the elements", () => {
    const suites = children(root, "testsuite");
    expect(suites.map((s) => [int(s, "tests"), int(s, "failures"), int(s, "errors")])).toEqual([
      [5, 3, 0],
      [0, 0, 0],
      [1, 0, 1],
    ]);
    for (const s of suites) {
      const cases = children(s, "testcase");
      expect(int(s, "tests")).toBe(cases.length);
      expect(int(s, "failures")).toBe(cases.filter((c) => children(c, "failure").length).length);
      expect(int(s, "errors")).toBe(cases.filter((c) => children(c, "error").length).length);
    }
    expect([int(root, "tests"), int(root, "failures"), int(root, "errors")]).toEqual([6, 3, 1]);
  });

  it("reports an unreadable input as an error of its suite", () => {
    const [unread] = children(children(root, "testsuite")[2]!, "testcase");
    const [error] = children(unread!, "error");
    expect(error!.attrs.type).toBe("unreadable");
    expect(error!.attrs.message).toContain("ENOENT");
  });

  it("has a passing suite for a clean transcript, and exits 0", () => {
    const clean = byor(["validate", "--format", "junit"], `${realFrame("update_loop_status")}\n{"type":"ping"}\n`);
    expect(clean.code).toBe(0);
    const suite = children(parseXml(clean.out), "testsuite")[0]!;
    expect(suite.attrs).toMatchObject({ name: "<stdin>", tests: "2", failures: "0", errors: "0" });
    expect(children(suite, "testcase").every((c) => c.children.length === 0)).toBe(true);
  });

  it("escapes markup, quotes, line breaks and characters XML cannot carry, in names and in messages", () => {
    const nasty = `we<ird> & "quoted" 'name' ]]> %,:.jsonl`;
    const type = "a<b>&\"c\"'d'\n\r\te\u0001f]]>\uFFFE\uD800";
    const path = file(nasty, [{ type }, `{"type":"x" <oops>}`]);
    const out = byor(["validate", "--format", "junit", path]).out;
    const suite = children(parseXml(out), "testsuite")[0]!;
    expect(suite.attrs.name).toBe(join(dir, nasty));
    const [first, second] = children(suite, "testcase");
    // Tab, CR and LF survive in attributes (as references); what XML 1.0 cannot carry becomes U+FFFD.
    expect(first!.attrs.name).toBe("line 1: a<b>&\"c\"'d'\n\r\te\uFFFDf]]>\uFFFD\uFFFD");
    const [failure] = children(first!, "failure");
    // JSON.stringify escapes the controls and the lone surrogate; U+FFFE it leaves as it is, for XML to replace.
    const quoted = JSON.stringify(type).replace("\uFFFE", "\uFFFD");
    expect(failure!.attrs.message).toBe(`${quoted} is not a type of the protocol`);
    expect(failure!.text).toContain(`${quoted} is not a type of the protocol`);
    expect(children(second!, "failure")[0]!.text).toContain(`:2:13: frame is not valid JSON`);
  });
});

describe("byor validate --format github", () => {
  const lines = (out: string) => out.split("\n").filter(Boolean);

  it("prints one ::error annotation per issue at file, line and column, then the summary as plain text", () => {
    const r = byor(["validate", "--format", "github", "--direction", "event", mixedPath, missingPath]);
    expect(r.code).toBe(1);
    const out = lines(r.out);
    expect(out.at(-1)).toBe("5 frames in 2 files: 2 valid, 3 invalid, 1 unreadable file");
    const annotations = out.slice(0, -1).map(parseWorkflowCommand);
    expect(annotations.every((a) => a?.command === "error")).toBe(true);
    const [nap, oops, coffee, missing] = annotations;
    expect(nap!.properties).toEqual({ file: mixedPath, line: "2", col: String(napping.indexOf('"NAPPING"') + 1), title: "byor validate" });
    expect(nap!.message).toMatch(/^update_loop_status \(invalid_message\): \/loop_status\/status: expected one of .*, found string "NAPPING"$/);
    expect(oops!.properties).toMatchObject({ line: "4", col: String(mixed[3]!.indexOf("oops") + 1) });
    expect(oops!.message).toMatch(/^invalid_json: frame is not valid JSON/);
    expect(coffee!.properties).toMatchObject({ line: "5", col: String(mixed[4]!.indexOf('"make_coffee"') + 1) });
    expect(missing!.properties).toEqual({ file: missingPath, title: "byor validate" });
    expect(missing!.message).toMatch(/^unreadable: .*ENOENT/);
  });

  it("escapes % CR LF in messages, and : , too in properties, so one problem stays one annotation", () => {
    const type = "50% done\r\nnext: a,b";
    const path = file("50%,a:b.jsonl", [{ type }]);
    const r = byor(["validate", "--format", "github", path]);
    const out = lines(r.out);
    expect(out).toHaveLength(2);
    expect(out[0]).not.toMatch(/[\r]/);
    const a = parseWorkflowCommand(out[0]!)!;
    expect(a.properties.file).toBe(path);
    expect(a.message).toBe(`${type} (unknown_type): ${JSON.stringify(type)} is not a type of the protocol`);
  });

  it("names <stdin> and its line in the message when the frames came from stdin (there is no file to point at)", () => {
    const out = lines(byor(["validate", "--format", "github", "--direction", "event"], `{"type":"ping"}\n${napping}\n`).out);
    const a = parseWorkflowCommand(out[0]!)!;
    expect(a.properties).toEqual({ title: "byor validate" });
    expect(a.message).toMatch(/^<stdin>:2: update_loop_status \(invalid_message\): \/loop_status\/status: /);
  });

  it("prints only the summary for a clean transcript", () => {
    const r = byor(["validate", "--format", "github"], '{"type":"ping"}\n');
    expect(r).toMatchObject({ code: 0, out: "1 frames in 1 file: 1 valid, 0 invalid\n" });
  });
});

describe("byor validate --format json", () => {
  it("adds the column of an unparsable line and of each issue's value", () => {
    const r = byor(["validate", "--format", "json", "--direction", "event", mixedPath]);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ok: false, direction: "event", files: 1, frames: 5, valid: 2, invalid: 3 });
    const [nap, oops, coffee] = report.problems;
    expect(nap.issues[0]).toMatchObject({ pointer: "/loop_status/status", column: napping.indexOf('"NAPPING"') + 1 });
    expect(nap.column).toBeUndefined();
    expect(oops).toMatchObject({ line: 4, code: "invalid_json", column: mixed[3]!.indexOf("oops") + 1, issues: [] });
    expect(coffee).toMatchObject({ line: 5, code: "unknown_type", type: "make_coffee", column: mixed[4]!.indexOf('"make_coffee"') + 1 });
  });

  it("omits a column it cannot find for sure: a missing value, a pointer cut short", () => {
    // A stream_delta without its message_type: the union's tag is missing (no value to point at), its object is not.
    const delta = JSON.parse(realFrame("stream_delta"));
    delete delta.delta.message_type;
    const untagged = JSON.stringify(delta);
    // Nested past MAX_FRAME_DEPTH: the issue's pointer is longer than the protocol keeps, so it is cut.
    const deep = `{"type":"ping","x":${"[".repeat(1200)}${"]".repeat(1200)}}`;
    const report = JSON.parse(byor(["validate", "--format", "json", "--direction", "event"], `${untagged}\n${deep}\n`).out);
    const [tag, depth] = report.problems;
    expect(tag.issues).toEqual([
      { pointer: "/delta", keyword: "required", expected: 'property "message_type"', found: "it missing", column: untagged.indexOf('{"id"') + 1 },
      { pointer: "/delta/message_type", keyword: "discriminator", expected: 'a known "message_type"', found: "nothing" },
    ]);
    expect(depth.issues).toHaveLength(1);
    expect(depth.issues[0]).toMatchObject({ keyword: "maxDepth" });
    expect(depth.issues[0].pointer.endsWith("…")).toBe(true);
    expect(depth.issues[0].column).toBeUndefined();
  });
});

describe("escaping helpers", () => {
  it("xmlText and xmlAttribute escape what XML needs and replace what it cannot carry", () => {
    expect(xmlText(`a<b>&"c"'d'\n]]>`)).toBe(`a&lt;b&gt;&amp;"c"'d'\n]]&gt;`);
    expect(xmlAttribute(`a<b>&"c"'d'\t\n\r`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#9;&#10;&#13;");
    expect(xmlText("\u0000\u0008\u000B\u000C\u001F\uFFFE\uFFFF\uD800x\uDC00")).toBe("\uFFFD".repeat(7) + "\uFFFDx\uFFFD");
    // A surrogate pair is a character, not two lone halves; tab, LF and CR are allowed in text.
    expect(xmlText("😀\t\n\r")).toBe("😀\t\n\r");
    expect(xmlAttributes({ a: "1", b: undefined, c: 2 })).toBe(' a="1" c="2"');
  });

  it("workflow commands escape % CR LF in data, and : , too in properties", () => {
    expect(escapeCommandData("100%\r\n: ,")).toBe("100%25%0D%0A: ,");
    expect(escapeCommandProperty("100%\r\n: ,")).toBe("100%25%0D%0A%3A %2C");
    // "%" first: a literal "%0A" must not come back as a line feed.
    expect(parseWorkflowCommand(workflowCommand("error", { file: "%0A:,", line: 3 }, "%0A\n"))).toEqual({
      command: "error",
      properties: { file: "%0A:,", line: "3" },
      message: "%0A\n",
    });
    expect(workflowCommand("warning", {}, "m")).toBe("::warning::m");
  });
});
