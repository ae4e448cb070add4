/** Test helper: the CDNOW transaction logs shipped in ../shared/data/cdnow beside the repo. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CustomerDayAmount } from "./summary.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");

/** Rows as (customer, day, cents); dates are YYYY-MM-DD in the file, amounts in dollars. */
export function readCdnow(which: "sample" | "master"): CustomerDayAmount[] {
  const file = resolve(repoRoot, `../shared/data/cdnow/cdnow_${which}_transactions.csv`);
  const [header, ...lines] = readFileSync(file, "utf8").trim().split(/\r?\n/);
  if (header !== "customer_id,date,quantity,amount") throw new Error(`unexpected CDNOW header: ${header}`);
  return lines.map((line) => {
    const [customerId, day, , amount] = line.split(",");
    return { customerId: customerId as string, day: day as string, amountMinor: Math.round(Number(amount) * 100) };
  });
}

export const CDNOW_CALIBRATION_END = "1997-09-30";
