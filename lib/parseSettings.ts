import type { z } from 'zod';

/**
 * Parses each field of `shape` on its own, so that one bad field does not hide the others, then runs
 * `cross` on the fields that were valid. Zod skips object-level refinements once any field fails,
 * which would report problems one run at a time.
 */
export function parseSettings<S extends Record<string, z.ZodType>>(
  shape: S,
  input: Record<string, unknown>,
  cross: (valid: Partial<{ [K in keyof S]: z.output<S[K]> }>) => z.core.$ZodIssue[],
  nameOf: (key: string) => string = (key) => key,
): { data: { [K in keyof S]: z.output<S[K]> }; issues: z.core.$ZodIssue[] } {
  const data: Partial<Record<keyof S, unknown>> = {};
  const issues: z.core.$ZodIssue[] = [];
  for (const key of Object.keys(shape) as (keyof S & string)[]) {
    const result = shape[key]!.safeParse(input[key]);
    if (result.success) data[key] = result.data;
    else for (const issue of result.error.issues) issues.push({ ...issue, path: [nameOf(key)] });
  }
  issues.push(...cross(data as Partial<{ [K in keyof S]: z.output<S[K]> }>));
  return { data: data as { [K in keyof S]: z.output<S[K]> }, issues };
}
