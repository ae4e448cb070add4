import type { CreateMemberInput } from "../member/create.js";
import { cleanOrder } from "../order/validate.js";
import type { CsvRow } from "./csv.js";
import { findCustomers, findOrders } from "./lookup.js";
import { forEachLimit } from "./pool.js";
import { memberIdOf, reasonOf, transactionOrderId, transactionRowSchema, type RowContext, type TransactionRow } from "./schemas.js";
import { isRowError, type Tally } from "./tally.js";
import { countWritten, ensureMember, packPlans, planNewCustomer, writeOrders, writePlans, type By, type NewCustomerPlan, type RowOrder } from "./write.js";

interface TxRow extends TransactionRow {
  line: number;
  orderId: string;
}

export interface TransactionsOptions {
  concurrency: number;
  by: By;
  /** Earliest day (UTC instant of its midnight) per customer over the whole file: the join date of new members. */
  joinedAt: Map<string, string>;
}

/**
 * `customer_id,date,amount` rows: each customer becomes a member (stable id from the customer
 * number), each row an order with an id derived from its content and occurrence number. Per
 * batch: validate, look up which members and orders exist (BatchGetItem), then write, with
 * bounded concurrency, new customers packed a dozen to a transaction (member, orders, points
 * and stats together) and the new orders of existing members through recordOrders.
 */
export function transactionsWriter(ctx: RowContext, options: TransactionsOptions, tally: Tally) {
  const schema = transactionRowSchema(ctx);
  /** How often each identical (customer, day, amount) line has been seen so far in the file. */
  const occurrences = new Map<string, number>();

  return async function writeBatch(rows: CsvRow[]): Promise<void> {
    const good: TxRow[] = [];
    for (const row of rows) {
      const parsed = schema.safeParse(row.record);
      if (!parsed.success) {
        tally.addBad(row.line, reasonOf(parsed.error));
        continue;
      }
      const t = parsed.data;
      const same = `${t.customerNo}\u0000${t.day}\u0000${t.amountMinor}`;
      const n = (occurrences.get(same) ?? 0) + 1;
      occurrences.set(same, n);
      good.push({ ...t, line: row.line, orderId: transactionOrderId(t.customerNo, t.day, t.amountMinor, n) });
    }
    if (good.length === 0) return;

    // Members first: a customer with no member yet has no orders either (its orders are created
    // with it), so only the rows of known customers need their order ids looked up. A fresh
    // import then costs one read per 100 customers; a re-import one per 100 rows as well.
    // A customer number owned by a member with another id is found when creating (a conflict).
    const customers = await findCustomers(ctx.tenantId, good.map((r) => r.customerNo), { byKey: false });
    const existing = await findOrders(ctx.tenantId, good.filter((r) => customers.has(r.customerNo)).map((r) => r.orderId));
    // Group per customer: the file may be in any order, and a customer may span batches.
    const groups = new Map<string, TxRow[]>();
    for (const row of good) {
      if (existing.has(row.orderId)) {
        tally.unchanged++;
        tally.amountMinor += row.amountMinor;
        continue;
      }
      const list = groups.get(row.customerNo);
      if (list) list.push(row);
      else groups.set(row.customerNo, [row]);
    }

    const toOrders = (list: TxRow[], memberId: string, report: boolean): RowOrder[] => {
      const orders: RowOrder[] = [];
      for (const r of list) {
        try {
          const order = cleanOrder({ orderId: r.orderId, memberId, channel: ctx.channel, amount: r.amountMinor / 100, occurredAt: r.occurredAt });
          orders.push({ line: r.line, order });
        } catch (error) {
          if (!isRowError(error)) throw error;
          if (report) tally.addBad(r.line, error.message);
        }
      }
      return orders;
    };

    const existingCustomers: [string, TxRow[]][] = [];
    const fresh: Fresh[] = [];
    for (const [customerNo, list] of groups) {
      if (customers.has(customerNo)) {
        existingCustomers.push([customerNo, list]);
        continue;
      }
      const memberId = memberIdOf(ctx.tenantId, customerNo);
      const first = list.reduce((min, r) => (r.occurredAt < min ? r.occurredAt : min), list[0]!.occurredAt);
      const joined = options.joinedAt.get(customerNo);
      const input = { memberId, customerNo, sourceChannel: ctx.channel, joinedAt: joined && joined < first ? joined : first };
      const orders = toOrders(list, memberId, true);
      try {
        fresh.push({ list, input, orders, plan: await planNewCustomer(ctx.tenantId, input, orders, options.by) });
      } catch (error) {
        if (!isRowError(error)) throw error;
        for (const r of list) tally.addBad(r.line, error.message);
      }
    }

    /** A new customer is written: count it, and record the orders that did not fit. */
    const written = async (f: Fresh) => {
      tally.membersCreated++;
      countWritten(f.plan.written, tally);
      await writeOrders(ctx.tenantId, f.input.memberId, f.plan.rest, options.by, tally, true);
    };
    /** On its own: its plan, or if it turns out to exist after all, the general path. */
    const alone = async (f: Fresh) => {
      if (await writePlans([f.plan])) return written(f);
      let made;
      try {
        made = await ensureMember(ctx.tenantId, f.input, options.by);
      } catch (error) {
        if (!isRowError(error)) throw error;
        for (const r of f.list) tally.addBad(r.line, error.message);
        return;
      }
      if (made.created) tally.membersCreated++;
      const target = made.memberId === f.input.memberId ? f.orders : toOrders(f.list, made.memberId, false);
      await writeOrders(ctx.tenantId, made.memberId, target, options.by, tally, made.created);
    };

    type Task = { known: [string, TxRow[]] } | { pack: Fresh[] };
    const tasks: Task[] = [...packPlans(fresh).map((pack) => ({ pack })), ...existingCustomers.map((known) => ({ known }))];
    await forEachLimit(tasks, options.concurrency, async (task) => {
      if ("known" in task) {
        const [customerNo, list] = task.known;
        const memberId = customers.get(customerNo)!.memberId;
        await writeOrders(ctx.tenantId, memberId, toOrders(list, memberId, true), options.by, tally, false);
        return;
      }
      if (task.pack.length > 1 && (await writePlans(task.pack.map((f) => f.plan)))) {
        for (const f of task.pack) await written(f);
        return;
      }
      // One of them is already there (or a lone customer): each on its own.
      for (const f of task.pack) await alone(f);
    });
  };
}

interface Fresh {
  list: TxRow[];
  input: CreateMemberInput & { memberId: string };
  orders: RowOrder[];
  plan: NewCustomerPlan;
}

/**
 * First pass over a transactions file: each customer's earliest day, so a member created from
 * a later batch still joins on its first purchase even if the file is not sorted by customer.
 */
export function earliestTracker(ctx: RowContext) {
  const schema = transactionRowSchema(ctx);
  const joinedAt = new Map<string, string>();
  return {
    joinedAt,
    add(rows: CsvRow[]) {
      for (const row of rows) {
        const parsed = schema.safeParse(row.record);
        if (!parsed.success) continue;
        const { customerNo, occurredAt } = parsed.data;
        const seen = joinedAt.get(customerNo);
        if (!seen || occurredAt < seen) joinedAt.set(customerNo, occurredAt);
      }
    },
  };
}
