/** One Dockerfile instruction: its upper-cased name and its arguments as written. */
export interface DockerInstruction {
  readonly name: string;
  readonly args: string;
}

/**
 * Parses a Dockerfile into instructions: comments and blank lines dropped, lines ending in
 * `\` joined with the next, the first word upper-cased as the instruction name.
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const space = full.search(/\s/);
    out.push({ name: (space < 0 ? full : full.slice(0, space)).toUpperCase(), args: space < 0 ? '' : full.slice(space + 1).trim() });
  }
  return out;
}
