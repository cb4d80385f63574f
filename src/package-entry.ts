/** The entries of this package the CLI loads at run time, as a user's code imports them. */
export type PackageEntry = 'conformance' | 'local' | 'aws/dev' | `${'local' | 'aws' | 'azure' | 'gcp' | 'container'}/target`;

/**
 * Imports `faasport/<entry>` by its package name, the way the CLI imports a third party's
 * target: resolved at run time (through the package's `exports`; through tsconfig `paths`
 * when running from source), so the core never imports an adapter's files and the CLI's own
 * bundle carries none of them.
 */
export function importEntry<T>(entry: PackageEntry): Promise<T> {
  const specifier = `faasport/${entry}`;
  return import(specifier) as Promise<T>;
}
