import { isMain, terminalIo } from "./is-main.js";
import { parseArgs } from "node:util";
import { resetClients } from "@growth/core/db/client";
import { assertTenantId } from "@growth/core/db/keys";
import { issueCouponsToSegment, type SegmentIssueResult } from "@growth/core/coupon";
import { connectDatabase } from "../local/database.js";
import { argsOrExit, failureExit } from "./failure.js";
import type { DynamoLocal } from "../local/dynamo-local.js";

/**
 * Issues a coupon definition to its campaign's target segment from a terminal, without the
 * request path's 20,000-member bound:
 *   npm run coupons -- issue --tenant <id> --definition <id> [--concurrency N]
 * Rerun-safe: each member gets at most one coupon from segment issues of a definition, so an
 * interrupted run is finished by running it again. Database selection as `npm run jobs`
 * (DYNAMODB_ENDPOINT / TABLE_NAME, AWS credentials, or the embedded DynamoDB Local).
 * Exit codes: 0 done; 2 bad arguments or refused (not running, no segment); 3 failed (rerun).
 */

export const USAGE = "usage: npm run coupons -- issue --tenant <id> --definition <id> [--concurrency N]";

export interface CouponsArgs {
  tenant: string;
  definition: string;
  concurrency: number;
}

export function parseCouponsArgs(argv: string[]): CouponsArgs | string {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { tenant: { type: "string", short: "t" }, definition: { type: "string", short: "d" }, concurrency: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals[0] !== "issue" || positionals.length !== 1) return `unknown command "${positionals.join(" ")}": use issue`;
  if (!values.tenant) return "--tenant is required";
  try {
    assertTenantId(values.tenant);
  } catch {
    return `--tenant ${values.tenant} is not a valid tenant id`;
  }
  if (!values.definition) return "--definition is required";
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) return "--concurrency must be a whole number from 1 to 64";
  return { tenant: values.tenant, definition: values.definition, concurrency };
}

export const summaryLine = (r: SegmentIssueResult, ms: number) =>
  `coupons issue ${r.definitionId} to segment ${r.segmentId}: ${r.members.toLocaleString("en-US")} members read, ${r.issued.toLocaleString("en-US")} issued, ` +
  `${r.alreadyIssued} already issued, ${r.limitReached} at their limit, ${r.skipped} without consent or inactive${r.soldOut ? "; sold out" : ""} (${(ms / 1000).toFixed(1)} s)`;

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

export async function run(argv: string[], io: Output): Promise<number> {
  const args = argsOrExit(parseCouponsArgs(argv), USAGE, io);
  if (typeof args === "number") return args;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let local: DynamoLocal | undefined;
  const started = Date.now();
  try {
    local = await connectDatabase(io.err);
    let last = 0;
    const r = await issueCouponsToSegment(args.tenant, args.definition, {
      concurrency: args.concurrency,
      onProgress: (p) => {
        if (Date.now() - last < 5_000) return;
        last = Date.now();
        io.err(`${p.members.toLocaleString("en-US")} members read, ${p.issued.toLocaleString("en-US")} issued`);
      },
    });
    io.out(summaryLine(r, Date.now() - started));
    return 0;
  } catch (error) {
    return failureExit(error, io, "members already reached keep their coupon: run the same command again to finish.");
  } finally {
    resetClients();
    await local?.stop();
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2), terminalIo());
}
