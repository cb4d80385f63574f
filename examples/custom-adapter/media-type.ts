/** The media type without parameters, lower-cased: `Application/JSON; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | null | undefined): string | undefined {
  if (!contentType) return undefined;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** JSON, or a JSON-based type such as `application/cloudevents+json` or `application/problem+json`. */
export function isJsonMediaType(type: string | undefined): boolean {
  return type !== undefined && (type === 'application/json' || type === 'text/json' || type.endsWith('+json'));
}

/** Textual data that is handed to handlers as a string. */
export function isTextMediaType(type: string | undefined): boolean {
  return type !== undefined && (type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml'));
}
