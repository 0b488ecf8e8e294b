import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { load, YAMLException } from 'js-yaml';
import type { z } from 'zod';
import type { ContentProblem } from './types.js';

/** Reads and schema-checks one YAML file; problems are pushed, never thrown. */
export function readYaml<S extends z.ZodType>(
  root: string,
  file: string,
  schema: S,
  problems: ContentProblem[],
): z.infer<S> | undefined {
  const name = relative(root, file) || file;
  let raw: unknown;
  try {
    // js-yaml: several times faster than the alternatives at start-up, and it refuses duplicate keys.
    raw = load(readFileSync(file, 'utf8'), { filename: name });
  } catch (error) {
    const message =
      error instanceof YAMLException
        ? `not valid YAML: ${error.reason} (line ${error.mark.line + 1}, column ${error.mark.column + 1})`
        : `cannot be read: ${(error as Error).message}`;
    problems.push({ file: name, message });
    return undefined;
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const entry = issue.path.length ? issue.path.map(String).join('.') : undefined;
    problems.push({ file: name, ...(entry ? { entry } : {}), message: explain(issue) });
  }
  return undefined;
}

function explain(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'missing';
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
}

/** The .yaml files of a folder, sorted, so that problems and training order are stable. */
export function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}
