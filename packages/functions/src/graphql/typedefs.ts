import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildASTSchema, parse, type GraphQLSchema } from "graphql";

/**
 * The API's SDL: every `schema/*.graphql` file at the repository root, read once at module
 * load. To add an area, drop `schema/<area>.graphql` next to `base.graphql` (use
 * `extend type Query` / `extend type Mutation`); nothing here needs to change.
 *
 * Where `schema/` is:
 * 1. `SCHEMA_DIR`, when set (tests, unusual layouts);
 * 2. `$LAMBDA_TASK_ROOT/schema` in Lambda (the stack copies `schema/` next to the bundle);
 * 3. otherwise the nearest `schema/` holding `.graphql` files, walking up from this module
 *    (works from the source tree under tsx/vitest and from a bundle placed anywhere below
 *    the repository root).
 */
export function findSchemaDir(): string {
  const explicit = process.env.SCHEMA_DIR;
  if (explicit) {
    if (!hasGraphqlFiles(explicit)) throw new Error(`SCHEMA_DIR=${explicit} holds no .graphql files`);
    return resolve(explicit);
  }
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot && hasGraphqlFiles(join(taskRoot, "schema"))) return join(taskRoot, "schema");

  const starts = [moduleDir(), process.cwd()].filter((d): d is string => Boolean(d));
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, "schema");
      if (hasGraphqlFiles(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`No schema/ directory with .graphql files found above ${starts.join(" or ")}; set SCHEMA_DIR`);
}

/** This module's directory; undefined when bundled to a format without `import.meta.url`. */
function moduleDir(): string | undefined {
  try {
    return import.meta.url ? dirname(fileURLToPath(import.meta.url)) : undefined;
  } catch {
    return undefined;
  }
}

function hasGraphqlFiles(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).some((f) => f.endsWith(".graphql"));
  } catch {
    return false;
  }
}

export interface SchemaFile {
  file: string;
  sdl: string;
}

/** `base.graphql` first (it declares `Query`, `Mutation` and the scalars), then by name. */
export function loadSchemaFiles(dir = findSchemaDir()): SchemaFile[] {
  if (!existsSync(dir)) throw new Error(`schema directory ${dir} does not exist`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".graphql"))
    .sort((a, b) => (a === "base.graphql" ? -1 : b === "base.graphql" ? 1 : a.localeCompare(b)));
  return files.map((file) => ({ file, sdl: readFileSync(join(dir, file), "utf8") }));
}

export const schemaDir: string = findSchemaDir();
export const schemaFiles: SchemaFile[] = loadSchemaFiles(schemaDir);
/** One SDL string per file. */
export const typeDefs: string[] = schemaFiles.map((f) => f.sdl);

/**
 * The files built as one graphql document (its `extend type`s applied by graphql, with no
 * graphql-tools merge first) and without the SDL check, for the cold start: schema.test.ts runs
 * the check in full on the same files and compares this build with graphql-tools' merge.
 */
export function buildSdlSchema(files: readonly string[] = typeDefs): GraphQLSchema {
  return buildASTSchema(parse(files.join("\n")), { assumeValidSDL: true });
}
