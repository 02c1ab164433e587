/** One problem ajv found, as its standalone validators report it. */
export interface AjvIssue {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A compiled validator: a type guard that leaves its problems on `errors` when it returns false. */
export interface Validator<T> {
  (data: unknown): data is T;
  errors?: AjvIssue[] | null;
}
