/** A YAML value: what the deploy files hold. */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

/**
 * YAML text for plain data, block style. Strings are always double-quoted JSON strings
 * (valid YAML scalars: no value can turn into a number, a boolean or a comment); keys are
 * bare when they are plain identifiers. `undefined` properties are left out.
 */
export function toYaml(value: YamlValue, indent = 0): string {
  return render(value, indent).replace(/^\n/, '') + '\n';
}

/** Several documents in one file, separated by `---`. */
export function toYamlDocuments(docs: readonly YamlValue[]): string {
  return docs.map((d) => toYaml(d)).join('---\n');
}

function render(value: YamlValue, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value
      .map((item: YamlValue) => {
        const inner = render(item, indent + 2);
        // A map in a list starts on the dash's line.
        return isMap(item) && Object.keys(item).length > 0 ? `\n${pad}- ${inner.slice(indent + 3)}` : `\n${pad}-${inner}`;
      })
      .join('');
  }
  if (isMap(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, YamlValue][];
    if (entries.length === 0) return ' {}';
    return entries.map(([k, v]) => `\n${pad}${key(k)}:${render(v, indent + 2)}`).join('');
  }
  return ` ${scalar(value as string | number | boolean | null)}`;
}

function isMap(value: YamlValue): value is { readonly [key: string]: YamlValue | undefined } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(k) ? k : JSON.stringify(k);
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}
