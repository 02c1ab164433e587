/** First lines of every generated file: where it comes from and how to regenerate it. */
export function header(what: string): string {
  return [
    `// GENERATED FILE: do not edit. ${what}`,
    "// Source: schema/**/*.json (JSON Schema draft-07). Regenerate with `pnpm codegen`; CI runs `pnpm codegen:check`.",
    "",
  ].join("\n");
}
