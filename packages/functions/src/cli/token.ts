import { isMain } from "./is-main.js";
import { parseArgs } from "node:util";
import { isRole, ROLES, signLocalToken } from "../graphql/auth.js";

/**
 * Prints a signed local JWT for the API:
 *   npm run token -- --tenant <id> --role <ADMIN|OPERATOR|ANALYST> [--sub <id>] [--staff <id>] [--expires 12h]
 * `--staff` binds the token to a staff member: an OPERATOR so bound sees only its own members.
 * Use it as `Authorization: Bearer <token>` against `npm start` (or anything verifying with
 * the same JWT_SECRET).
 */

export const USAGE = `usage: npm run token -- --tenant <id> --role <${ROLES.join("|")}> [--sub <id>] [--staff <id>] [--expires 12h]`;

export interface CliResult {
  code: number;
  stdout?: string;
  stderr?: string;
}

export async function run(argv: string[]): Promise<CliResult> {
  let values: { tenant?: string; role?: string; sub?: string; staff?: string; expires?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        tenant: { type: "string", short: "t" },
        role: { type: "string", short: "r" },
        sub: { type: "string", short: "s" },
        staff: { type: "string" },
        expires: { type: "string", short: "e" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail((error as Error).message.split("\n")[0] ?? "invalid arguments");
  }
  if (values.help) return { code: 0, stdout: USAGE };
  if (!values.tenant) return fail("--tenant is required");
  if (!values.role) return fail("--role is required");
  const role = values.role.toUpperCase();
  if (!isRole(role)) return fail(`--role must be one of ${ROLES.join(", ")} (got "${values.role}")`);
  try {
    const token = await signLocalToken({ tenant: values.tenant, role, sub: values.sub, expiresIn: values.expires, staffId: values.staff });
    return { code: 0, stdout: token };
  } catch (error) {
    return fail((error as Error).message);
  }
}

function fail(message: string): CliResult {
  return { code: 2, stderr: `error: ${message}\n${USAGE}` };
}

if (isMain(import.meta.url)) {
  const result = await run(process.argv.slice(2));
  if (result.stdout) process.stdout.write(`${result.stdout}\n`);
  if (result.stderr) process.stderr.write(`${result.stderr}\n`);
  process.exitCode = result.code;
}
