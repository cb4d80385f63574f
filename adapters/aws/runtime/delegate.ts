/**
 * Makes a lazy stand-in (a LambdaRequest, LazyHeaders) pass for the real Fetch class it stands
 * in for: its prototype chain gets the real class's, and every member of the real class it does
 * not define itself (`keys`: the prototype's names, and undici's symbol slots read off an
 * instance) goes to the real object its `materialise()` builds. Run once, where undici is
 * loaded anyway: never at import (touching the Fetch classes loads undici).
 */
export function delegateMembers(
  lazy: abstract new (...args: never[]) => { materialise(): object },
  real: { readonly prototype: object },
  keys: readonly PropertyKey[],
  options: { readonly settable?: boolean } = {},
): void {
  Object.setPrototypeOf(lazy.prototype, real.prototype);
  const proto = lazy.prototype as Record<PropertyKey, unknown>;
  const own = new Set<PropertyKey>(Reflect.ownKeys(lazy.prototype));
  const target = (self: { materialise(): object }) => self.materialise() as Record<PropertyKey, unknown>;
  for (const key of keys) {
    if (own.has(key) || key === 'constructor' || key === Symbol.toStringTag) continue;
    const descriptor = Object.getOwnPropertyDescriptor(real.prototype, key);
    if (descriptor && typeof descriptor.value === 'function') {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(proto, key, {
        value(this: { materialise(): object }, ...args: unknown[]) {
          return method.apply(this.materialise(), args);
        },
        configurable: true,
        writable: true,
      });
    } else {
      Object.defineProperty(proto, key, {
        get(this: { materialise(): object }) {
          return target(this)[key];
        },
        ...(options.settable
          ? {
              set(this: { materialise(): object }, value: unknown) {
                target(this)[key] = value;
              },
            }
          : {}),
        configurable: true,
      });
    }
  }
}
