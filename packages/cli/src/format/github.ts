/**
 * GitHub Actions workflow commands (`::error file=a.jsonl,line=3,col=7,title=T::message`), escaped the way the
 * runner unescapes them: in the message `%`, CR and LF; in a property also `:` and `,`, which delimit properties.
 */

export const escapeCommandData = (text: string): string => text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");

export const escapeCommandProperty = (text: string): string => escapeCommandData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  col?: number;
}

/** One annotation line, without its newline; properties without a value are left out. */
export function workflowCommand(command: "error" | "warning" | "notice", properties: AnnotationProperties, message: string): string {
  const props = (["file", "line", "col", "title"] as const)
    .filter((key) => properties[key] !== undefined)
    .map((key) => `${key}=${escapeCommandProperty(String(properties[key]))}`)
    .join(",");
  return `::${command}${props ? ` ${props}` : ""}::${escapeCommandData(message)}`;
}
