import type { CsvRow } from "./csv.js";
import { findCustomers } from "./lookup.js";
import { forEachLimit } from "./pool.js";
import { memberRowSchema, reasonOf, type MemberRow, type RowContext } from "./schemas.js";
import { isRowError, type Tally } from "./tally.js";
import { ensureMember, type By } from "./write.js";

/**
 * Member profile rows: each becomes a member under the stable id of its customer number.
 * A customer already a member (under that id, or owning the customer number) is left as it is
 * and counted as unchanged; a customer number repeated in the file is a bad row.
 */
export function membersWriter(ctx: RowContext, options: { concurrency: number; by: By }, tally: Tally) {
  const schema = memberRowSchema(ctx);
  /** Line of each customer number's first row in the file. */
  const firstLine = new Map<string, number>();

  return async function writeBatch(rows: CsvRow[]): Promise<void> {
    const good: { line: number; input: MemberRow }[] = [];
    for (const row of rows) {
      const parsed = schema.safeParse(row.record);
      if (!parsed.success) {
        tally.addBad(row.line, reasonOf(parsed.error));
        continue;
      }
      const first = firstLine.get(parsed.data.customerNo);
      if (first !== undefined) {
        tally.addBad(row.line, `customer_no ${parsed.data.customerNo} already appeared at line ${first}`);
        continue;
      }
      firstLine.set(parsed.data.customerNo, row.line);
      good.push({ line: row.line, input: parsed.data });
    }
    if (good.length === 0) return;

    // A customer number owned by a member with another id shows up as a conflict when creating.
    const known = await findCustomers(ctx.tenantId, good.map((g) => g.input.customerNo), { byKey: false });
    const missing = good.filter((g) => {
      if (!known.has(g.input.customerNo)) return true;
      tally.unchanged++;
      return false;
    });
    await forEachLimit(missing, options.concurrency, async ({ line, input }) => {
      try {
        const { created } = await ensureMember(ctx.tenantId, input, options.by);
        if (created) {
          tally.imported++;
          tally.membersCreated++;
        } else {
          tally.unchanged++;
        }
      } catch (error) {
        if (!isRowError(error)) throw error;
        tally.addBad(line, error.message);
      }
    });
  };
}
