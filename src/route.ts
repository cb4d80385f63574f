import { FaasportError } from './errors.js';

export interface CompiledRoute {
  readonly route: string;
  readonly paramNames: readonly string[];
  /** Static routes compare strings; dynamic ones use a regex. */
  match(pathname: string): Record<string, string> | undefined;
  /** Lower is more specific: static segments before params before a wildcard. */
  readonly specificity: number[];
}

const SEGMENT = /^[A-Za-z0-9._~!$&'()+,;=@-]+$/;
const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Compiles `/hello/:name` or `/files/*` into a matcher. A trailing `*` captures the rest of
 * the path as the `*` param. Throws INVALID_ROUTE with what is wrong.
 */
export function compileRoute(route: string, functionName: string): CompiledRoute {
  const fail = (why: string): never => {
    throw new FaasportError('INVALID_ROUTE', `http "${functionName}": route "${route}" ${why}`, {
      details: { route, functionName },
    });
  };
  if (typeof route !== 'string' || !route.startsWith('/')) fail('must be a string starting with "/"');
  const parts = route === '/' ? [] : route.slice(1).split('/');
  const paramNames: string[] = [];
  const specificity: number[] = [];
  let pattern = '^';
  parts.forEach((part, i) => {
    if (part === '') fail('has an empty segment ("//" or a trailing "/")');
    if (part === '*') {
      if (i !== parts.length - 1) fail('may use "*" only as the last segment');
      paramNames.push('*');
      specificity.push(2);
      pattern += '/(.*)';
      return;
    }
    const param = PARAM.exec(part);
    if (param) {
      const name = param[1]!;
      if (paramNames.includes(name)) fail(`repeats the parameter ":${name}"`);
      paramNames.push(name);
      specificity.push(1);
      pattern += '/([^/]+)';
      return;
    }
    if (part.includes(':') && part.startsWith(':')) fail(`has an invalid parameter "${part}" (use :name with letters, digits, _)`);
    if (!SEGMENT.test(part) || part.includes('{') || part.includes('}')) fail(`has an invalid segment "${part}" (use literal text, ":param" or a final "*")`);
    specificity.push(0);
    pattern += '/' + escapeRegex(part);
  });
  if (parts.length === 0) pattern += '/';
  if (paramNames.length === 0) {
    return {
      route,
      paramNames,
      specificity,
      match: (pathname) => (pathname === route || (route !== '/' && pathname === route + '/') ? {} : undefined),
    };
  }
  const regex = new RegExp(pattern + '/?$');
  return {
    route,
    paramNames,
    specificity,
    match(pathname) {
      const m = regex.exec(pathname);
      if (!m) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < paramNames.length; i++) params[paramNames[i]!] = safeDecode(m[i + 1]!);
      return params;
    },
  };
}

/** `decodeURIComponent`, or the text as it came when it is not valid percent-encoding. */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Orders routes so the most specific one matches first. */
export function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  if (a.specificity.length !== b.specificity.length && !a.paramNames.includes('*') && !b.paramNames.includes('*')) {
    return b.specificity.length - a.specificity.length;
  }
  const n = Math.max(a.specificity.length, b.specificity.length);
  for (let i = 0; i < n; i++) {
    const x = a.specificity[i] ?? -1;
    const y = b.specificity[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}
