import { isMain, terminalIo } from "./is-main.js";
import { parseArgs } from "node:util";
import { resetClients } from "@growth/core/db/client";
import { assertTenantId } from "@growth/core/db/keys";
import { keyStatus, kmsMasterKey, localMasterKey, reencryptMembers, retireDataKeys, rewrapKeyring, rotateDataKey } from "@growth/core/pii";
import { connectDatabase } from "../local/database.js";
import { argsOrExit, failureExit } from "./failure.js";
import type { DynamoLocal } from "../local/dynamo-local.js";

/**
 * Personal-data keys of a tenant, from a terminal (README "How to rotate keys"):
 *   npm run keys -- status    --tenant <id>
 *   npm run keys -- rotate    --tenant <id>      new data key version, current from now on
 *   npm run keys -- reencrypt --tenant <id>      rewrite older ciphertexts (≥ 2 min after rotate)
 *   npm run keys -- retire    --tenant <id>      drop versions nothing refers to
 *   npm run keys -- rewrap    --tenant <id> (--from-file <old master key file> | --from-kms)
 * The master key is the process's: PII_KMS_KEY_ID (KMS) or PII_MASTER_KEY_FILE (local file).
 * Database selection as `npm run jobs`. Every command can be rerun. Exit codes: 0 done;
 * 2 bad arguments or refused (too early to re-encrypt); 3 failed (rerun).
 */

export const USAGE = "usage: npm run keys -- status|rotate|reencrypt|retire|rewrap --tenant <id> [--segments N] [--from-file <path> | --from-kms]";

const COMMANDS = ["status", "rotate", "reencrypt", "retire", "rewrap"] as const;
type Command = (typeof COMMANDS)[number];

export interface KeysArgs {
  command: Command;
  tenant: string;
  segments: number;
  fromFile?: string;
  fromKms: boolean;
}

export function parseKeysArgs(argv: string[]): KeysArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { tenant: { type: "string", short: "t" }, segments: { type: "string" }, "from-file": { type: "string" }, "from-kms": { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const command = positionals[0] as Command;
  if (positionals.length !== 1 || !COMMANDS.includes(command)) return `unknown command "${positionals.join(" ")}": use ${COMMANDS.join(", ")}`;
  if (!values.tenant) return "--tenant is required";
  try {
    assertTenantId(values.tenant);
  } catch {
    return `--tenant ${values.tenant} is not a valid tenant id`;
  }
  const segments = values.segments === undefined ? 4 : Number(values.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > 64) return "--segments must be a whole number from 1 to 64";
  if (command === "rewrap" && Boolean(values["from-file"]) === Boolean(values["from-kms"])) return "rewrap needs the old master key: --from-file <path> or --from-kms";
  return { command, tenant: values.tenant, segments, fromFile: values["from-file"], fromKms: Boolean(values["from-kms"]) };
}

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `options.minVersionAgeMs`: tests re-encrypt without waiting for other processes to see a new version. */
export async function run(argv: string[], io: Output, options: { minVersionAgeMs?: number } = {}): Promise<number> {
  const args = argsOrExit(parseKeysArgs(argv), USAGE, io);
  if (typeof args === "number") return args;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let local: DynamoLocal | undefined;
  try {
    local = await connectDatabase(io.err);
    const t = args.tenant;
    switch (args.command) {
      case "status": {
        const s = await keyStatus(t);
        io.out(`keys ${t}: current version ${s.current} (since ${s.currentSince}); versions ${s.versions.map((v) => `${v.version} (${v.provider} ${v.masterKeyId})`).join(", ")}; index key ${s.index.provider} ${s.index.masterKeyId}`);
        break;
      }
      case "rotate": {
        const ring = await rotateDataKey(t);
        io.out(`keys ${t}: version ${ring.current} is current; run "npm run keys -- reencrypt --tenant ${t}" in 2 minutes, then "retire"`);
        break;
      }
      case "reencrypt": {
        const r = await reencryptMembers(t, { segments: args.segments, minVersionAgeMs: options.minVersionAgeMs });
        io.out(`keys ${t}: ${r.membersScanned} members scanned, ${r.reencrypted} re-encrypted under version ${r.current} (${r.migrated} from plaintext), ${r.changedMeanwhile} changed meanwhile`);
        break;
      }
      case "retire": {
        const r = await retireDataKeys(t, { segments: args.segments });
        const refs = Object.entries(r.references).map(([v, n]) => `${n} under ${v}`).join(", ") || "none";
        io.out(`keys ${t}: ciphertexts ${refs}; ${r.plaintext} plaintext; retired [${r.retired.join(", ")}], kept [${r.kept.join(", ")}]`);
        if (r.plaintext > 0) io.err(`${r.plaintext} values are still plaintext: run reencrypt`);
        break;
      }
      case "rewrap": {
        const from = args.fromFile ? localMasterKey(args.fromFile) : kmsMasterKey("(named by each ciphertext)");
        const ring = await rewrapKeyring(t, from);
        io.out(`keys ${t}: ${Object.keys(ring.versions).length} data keys and the index key re-wrapped under ${ring.index.provider} ${ring.index.masterKeyId}`);
        break;
      }
    }
    return 0;
  } catch (error) {
    return failureExit(error, io, "every step can be rerun: run the same command again.");
  } finally {
    resetClients();
    await local?.stop();
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2), terminalIo());
}
