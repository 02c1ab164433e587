/** One problem ajv found, as its standalone validators report it. */
export interface AjvIssue {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * A compiled validator: a type guard that leaves its problems on `errors` when it returns false. It keeps the
 * first problems only (a fixed cap, MAX_KEPT_ERRORS in tools/codegen) and counts all of them in `count`.
 */
export interface Validator<T> {
  (data: unknown): data is T;
  errors?: AjvIssue[] | null;
  /** How many problems the last call found, kept or not. */
  count?: number;
}
