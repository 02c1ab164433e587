/**
 * XML 1.0 escaping. Text from a transcript (a frame's `type`, a file name) may hold any character: those XML 1.0
 * cannot carry at all, not even as a reference (most C0 controls, U+FFFE, U+FFFF, lone surrogates), become U+FFFD.
 */

// Lone surrogates are matched without the `u` flag: with it, a regex cannot see half of a pair.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const TEXT: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
// In an attribute, a parser turns a raw tab, CR or LF into a space: references keep them.
const ATTRIBUTE: Record<string, string> = { ...TEXT, '"': "&quot;", "'": "&apos;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" };

/** Character data, for between tags. */
export const xmlText = (text: string): string => text.replace(NOT_XML, "\uFFFD").replace(/[&<>]/g, (c) => TEXT[c]!);

/** An attribute's value, for between double quotes. */
export const xmlAttribute = (text: string): string => text.replace(NOT_XML, "\uFFFD").replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE[c]!);

/** `name="value" ...`, in the order given; undefined values are left out. */
export const xmlAttributes = (attributes: Record<string, string | number | undefined>): string =>
  Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join("");
