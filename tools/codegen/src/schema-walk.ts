const SCHEMA_MAPS = new Set(["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SUBSCHEMAS = new Set([
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "unevaluatedProperties",
  "unevaluatedItems",
]);

type Schema = Record<string, unknown>;

/**
 * Rebuilds a schema bottom-up: `visit` gets every schema object once its subschemas are rebuilt, and returns its
 * replacement. Walks only schema positions, so a property called "title" or "oneOf" is left alone.
 */
export function mapSchema(schema: unknown, visit: (node: Schema) => Schema): unknown {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(k) && v && typeof v === "object") out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, mapSchema(sub, visit)]));
    else if (SCHEMA_LISTS.has(k) && Array.isArray(v)) out[k] = v.map((sub) => mapSchema(sub, visit));
    else if (SUBSCHEMAS.has(k)) out[k] = mapSchema(v, visit);
    else out[k] = v;
  }
  return visit(out);
}
