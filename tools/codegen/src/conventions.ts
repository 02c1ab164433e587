/** Base of every `$id` under schema/ (schema/README.md). */
export const SCHEMA_BASE = "https://byor.dev/schema/v2/";

/** schema/ breaks a convention codegen relies on: main prints the message, without a stack. */
export class SchemaError extends Error {}
