/**
 * Small pieces of Python source: literals from plain data, and the filling of a template's
 * marker lines. The templates (templates/*.py) are real Python files whose generated parts
 * sit at lines of the form `# <<name>>`, so Python tools can read the templates as they are.
 */

/** Longest list or dict written on one line. */
const ONE_LINE_MAX_CHARS = 72;

/** A Python literal for JSON-like data (numbers print as JavaScript prints them, which Python
 * reads back as the same double). */
export function toPythonLiteral(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as a Python literal`);
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    const items = value.map((item) => toPythonLiteral(item, inner));
    const oneLine = `[${items.join(', ')}]`;
    return oneLine.length <= ONE_LINE_MAX_CHARS && !oneLine.includes('\n')
      ? oneLine
      : `[\n${items.map((i) => `${inner}${i},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, item]) => item !== undefined,
  );
  if (entries.length === 0) return '{}';
  const pairs = entries.map(
    ([key, item]) => `${JSON.stringify(key)}: ${toPythonLiteral(item, inner)}`,
  );
  const oneLine = `{${pairs.join(', ')}}`;
  if (oneLine.length <= ONE_LINE_MAX_CHARS && !oneLine.includes('\n')) return oneLine;
  return `{\n${pairs.map((pair) => `${inner}${pair},`).join('\n')}\n${indent}}`;
}

/** `NAME = literal` lines, one per entry. */
export function pythonConstants(constants: Record<string, unknown>): string {
  return Object.entries(constants)
    .map(([name, value]) => `${name} = ${toPythonLiteral(value)}`)
    .join('\n');
}

const MARKER_LINE = /^(?:# <<([a-z-]+)>>|<!-- <<([a-z-]+)>> -->)$/gm;

/**
 * `template` with each marker line replaced by `parts[name]`. Every marker must
 * be filled and every part used, so a template and its generator cannot drift apart silently.
 */
export function fillTemplate(template: string, parts: Record<string, string>): string {
  const used = new Set<string>();
  const filled = template.replace(MARKER_LINE, (_, python?: string, markdown?: string) => {
    const name = python ?? markdown ?? '';
    const part = parts[name];
    if (part === undefined) throw new Error(`The template has no content for <<${name}>>`);
    used.add(name);
    return part.trimEnd();
  });
  const unused = Object.keys(parts).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`The template has no marker for ${unused.join(', ')}`);
  return filled;
}

/** `seed-cnn` → `SeedCnn`: a Python class name. */
export function pythonClassName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** `text` broken into lines of at most `width` characters (at spaces), each after `indent`. */
export function wrapText(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`)).join('\n');
}
