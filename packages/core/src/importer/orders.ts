import { cleanOrder } from "../order/validate.js";
import type { CsvRow } from "./csv.js";
import { findCustomers, findOrders, findStores } from "./lookup.js";
import { forEachLimit } from "./pool.js";
import { orderRowSchema, reasonOf, type OrderRow, type RowContext } from "./schemas.js";
import { isRowError, type Tally } from "./tally.js";
import { writeOrders, type By, type RowOrder } from "./write.js";

/**
 * Order rows with the brand's own order ids, for members imported before (the member under the
 * stable id of `customer_no`, or the member owning that customer number). Orders already
 * recorded are unchanged; the same order id with different details is a bad row.
 */
export function ordersWriter(ctx: RowContext, options: { concurrency: number; by: By }, tally: Tally) {
  const schema = orderRowSchema(ctx);

  return async function writeBatch(rows: CsvRow[]): Promise<void> {
    const good: (OrderRow & { line: number })[] = [];
    for (const row of rows) {
      const parsed = schema.safeParse(row.record);
      if (parsed.success) good.push({ ...parsed.data, line: row.line });
      else tally.addBad(row.line, reasonOf(parsed.error));
    }
    if (good.length === 0) return;

    const storeIds = [...new Set(good.flatMap((g) => (g.input.storeId ? [g.input.storeId] : [])))];
    const [existing, customers, stores] = await Promise.all([
      findOrders(ctx.tenantId, good.map((g) => g.input.orderId)),
      findCustomers(ctx.tenantId, good.map((g) => g.customerNo), { byKey: true }),
      findStores(ctx.tenantId, storeIds),
    ]);

    const groups = new Map<string, RowOrder[]>();
    const inBatch = new Map<string, { line: number; fingerprint: string }>();
    for (const g of good) {
      const customer = customers.get(g.customerNo);
      if (!customer) {
        tally.addBad(g.line, `unknown customer ${g.customerNo}: import it with the members file first`);
        continue;
      }
      if (g.input.storeId && !stores.has(g.input.storeId)) {
        tally.addBad(g.line, `unknown store ${g.input.storeId}`);
        continue;
      }
      let order;
      try {
        order = cleanOrder({ ...g.input, memberId: customer.memberId });
      } catch (error) {
        if (!isRowError(error)) throw error;
        tally.addBad(g.line, error.message);
        continue;
      }
      const stored = existing.get(order.orderId);
      const earlier = inBatch.get(order.orderId);
      const seenPrint = stored ?? earlier?.fingerprint;
      if (seenPrint !== undefined) {
        if (seenPrint === order.fingerprint) {
          tally.unchanged++;
          tally.amountMinor += order.amountMinor;
        } else {
          const where = stored !== undefined ? "was already recorded" : `already appears at line ${earlier!.line}`;
          tally.addBad(g.line, `order_id ${order.orderId} ${where} with different details`);
        }
        continue;
      }
      inBatch.set(order.orderId, { line: g.line, fingerprint: order.fingerprint });
      const list = groups.get(customer.memberId);
      if (list) list.push({ line: g.line, order });
      else groups.set(customer.memberId, [{ line: g.line, order }]);
    }

    await forEachLimit([...groups], options.concurrency, ([memberId, list]) => writeOrders(ctx.tenantId, memberId, list, options.by, tally, false));
  };
}
