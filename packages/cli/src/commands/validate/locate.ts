/**
 * Where in a line of JSON a problem is: the first character that makes it not JSON, or where the value a JSON
 * pointer names starts. Both walk the text with an explicit stack, never recursion, so a line nested 100,000 levels
 * deep costs time linear in its length and no stack.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
// JSON's whitespace, exactly (JSON.parse accepts no other).
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
// The characters that may follow a backslash: " \ / b f n r t (u is handled apart).
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/** A cursor over the text. Each scan returns false with `i` at the offending character (or at the end). */
class Cursor {
  i = 0;
  constructor(readonly text: string) {}

  /** The character code at the cursor; NaN at the end. */
  peek(): number {
    return this.text.charCodeAt(this.i);
  }

  space(): void {
    while (isSpace(this.text.charCodeAt(this.i))) this.i++;
  }

  string(): boolean {
    const { text } = this;
    if (text.charCodeAt(this.i) !== QUOTE) return false;
    this.i++;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (Number.isNaN(c) || c < 0x20) return false;
      if (c === QUOTE) {
        this.i++;
        return true;
      }
      if (c !== BACKSLASH) {
        this.i++;
        continue;
      }
      this.i++;
      const escape = text.charCodeAt(this.i);
      if (SIMPLE_ESCAPES.has(escape)) {
        this.i++;
      } else if (escape === 0x75) {
        this.i++;
        for (let n = 0; n < 4; n++, this.i++) if (!isHex(text.charCodeAt(this.i))) return false;
      } else {
        return false;
      }
    }
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  number(): boolean {
    const { text } = this;
    if (text.charCodeAt(this.i) === MINUS) this.i++;
    const first = text.charCodeAt(this.i);
    if (!isDigit(first)) return false;
    this.i++;
    if (first !== ZERO) while (isDigit(text.charCodeAt(this.i))) this.i++;
    if (text.charCodeAt(this.i) === DOT) {
      this.i++;
      if (!this.digits()) return false;
    }
    const e = text.charCodeAt(this.i);
    if (e === 0x65 || e === 0x45) {
      this.i++;
      const sign = text.charCodeAt(this.i);
      if (sign === PLUS || sign === MINUS) this.i++;
      if (!this.digits()) return false;
    }
    return true;
  }

  private digits(): boolean {
    const start = this.i;
    while (isDigit(this.text.charCodeAt(this.i))) this.i++;
    return this.i > start;
  }

  private word(word: string): boolean {
    for (let n = 0; n < word.length; n++, this.i++) if (this.text.charCodeAt(this.i) !== word.charCodeAt(n)) return false;
    return true;
  }

  /** A string, number, true, false or null. */
  scalar(): boolean {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === MINUS || isDigit(c)) return this.number();
    if (c === 0x74) return this.word("true");
    if (c === 0x66) return this.word("false");
    if (c === 0x6e) return this.word("null");
    return false;
  }

  /** A key and its colon, with the spaces after each. */
  key(): boolean {
    if (!this.string()) return false;
    this.space();
    if (this.peek() !== COLON) return false;
    this.i++;
    this.space();
    return true;
  }

  /** Skips one value of text already known to be JSON (brackets inside strings do not count). */
  skipValue(): boolean {
    const c = this.peek();
    if (c !== LBRACE && c !== LBRACKET) return this.scalar();
    let depth = 0;
    while (this.i < this.text.length) {
      const ch = this.text.charCodeAt(this.i);
      if (ch === QUOTE) {
        if (!this.string()) return false;
        continue;
      }
      this.i++;
      if (ch === LBRACE || ch === LBRACKET) depth++;
      else if ((ch === RBRACE || ch === RBRACKET) && --depth === 0) return true;
    }
    return false;
  }
}

/**
 * The index of the first character at which `text` stops being JSON (`text.length` when it ends too early), or
 * undefined when it is JSON. Follows the grammar JSON.parse applies (RFC 8259).
 */
export function jsonErrorIndex(text: string): number | undefined {
  const s = new Cursor(text);
  // The containers still open: LBRACE or LBRACKET.
  const open: number[] = [];
  s.space();
  for (;;) {
    const c = s.peek();
    if (c === LBRACE || c === LBRACKET) {
      s.i++;
      s.space();
      if (s.peek() === (c === LBRACE ? RBRACE : RBRACKET)) {
        s.i++;
      } else {
        open.push(c);
        if (c === LBRACE && !s.key()) return s.i;
        continue;
      }
    } else if (!s.scalar()) {
      return s.i;
    }
    // After a value: close what ends here, then the next element's start, or the end of the text.
    for (;;) {
      s.space();
      const top = open.at(-1);
      if (top === undefined) return s.i === text.length ? undefined : s.i;
      const next = s.peek();
      if (next === (top === LBRACE ? RBRACE : RBRACKET)) {
        s.i++;
        open.pop();
        continue;
      }
      if (next !== COMMA) return s.i;
      s.i++;
      s.space();
      if (top === LBRACE && !s.key()) return s.i;
      break;
    }
  }
}

const unescapeToken = (token: string) => token.replaceAll("~1", "/").replaceAll("~0", "~");
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** The text of the JSON string at [start, end) (quotes included), unescaped. */
function stringAt(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes("\\") ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

/**
 * The index where the value at JSON `pointer` (RFC 6901) starts in `text`, which must be one JSON value; undefined
 * when the pointer names nothing there (a missing member, an index past the end, a malformed pointer). Of duplicate
 * keys, the last counts, as it does for JSON.parse.
 */
export function pointerIndex(text: string, pointer: string): number | undefined {
  // A "~" must start "~0" or "~1" (RFC 6901): any other pointer is malformed.
  if ((pointer !== "" && !pointer.startsWith("/")) || /~(?![01])/.test(pointer)) return undefined;
  const s = new Cursor(text);
  s.space();
  if (s.i >= text.length) return undefined;
  for (const token of pointer === "" ? [] : pointer.slice(1).split("/").map(unescapeToken)) {
    const c = s.peek();
    s.i++;
    s.space();
    if (c === LBRACE) {
      let found: number | undefined;
      if (s.peek() === RBRACE) return undefined;
      for (;;) {
        const start = s.i;
        if (!s.string()) return undefined;
        const key = stringAt(text, start, s.i);
        s.i = start;
        if (!s.key()) return undefined;
        if (key === token) found = s.i;
        if (!s.skipValue()) return undefined;
        s.space();
        const next = s.peek();
        s.i++;
        s.space();
        if (next === RBRACE) break;
        if (next !== COMMA) return undefined;
      }
      if (found === undefined) return undefined;
      s.i = found;
    } else if (c === LBRACKET) {
      if (!ARRAY_INDEX.test(token) || s.peek() === RBRACKET) return undefined;
      for (let n = Number(token); n > 0; n--) {
        if (!s.skipValue()) return undefined;
        s.space();
        if (s.peek() !== COMMA) return undefined;
        s.i++;
        s.space();
      }
    } else {
      return undefined;
    }
  }
  return s.i;
}

/** The 1-based column of a string index, counting characters (code points: an emoji is one column). */
export function columnOf(text: string, index: number): number {
  let column = 1;
  for (let i = 0; i < index && i < text.length; i++, column++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < index) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) i++;
    }
  }
  return column + Math.max(0, index - text.length);
}
