import { batchGet } from "../db/batch.js";
import { keys } from "../db/keys.js";
import type { MemberStatus } from "../member/types.js";
import { memberIdOf } from "./schemas.js";

/** Where a customer number already lives, if anywhere. */
export interface KnownCustomer {
  memberId: string;
  /** Status of the member under the stable id; undefined when found through the customer-number key only. */
  status?: MemberStatus;
}

/**
 * For each customer number: the member under its stable id, or else (with `byKey`) the member
 * that owns the customer number (created through the API with a generated id). BatchGetItem
 * projected to ids; the customer-number keys are read only for customers not found by id.
 */
export async function findCustomers(tenantId: string, customerNos: readonly string[], options: { byKey: boolean }): Promise<Map<string, KnownCustomer>> {
  const unique = [...new Set(customerNos)];
  const found = new Map<string, KnownCustomer>();
  if (unique.length === 0) return found;
  const members = await batchGet<{ memberId: string; status?: MemberStatus }>(
    unique.map((no) => keys.member(tenantId, memberIdOf(tenantId, no))),
    ["memberId", "status"],
  );
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const missing: string[] = [];
  for (const no of unique) {
    const member = byId.get(memberIdOf(tenantId, no));
    if (member) found.set(no, { memberId: member.memberId, status: member.status });
    else missing.push(no);
  }
  if (options.byKey && missing.length > 0) {
    const owners = await batchGet<{ pk: string; memberId: string }>(
      missing.map((no) => keys.memberKey(tenantId, "CUSTOMER_NO", no)),
      ["pk", "memberId"],
    );
    const byPk = new Map(owners.map((o) => [o.pk, o.memberId]));
    for (const no of missing) {
      const owner = byPk.get(keys.memberKey(tenantId, "CUSTOMER_NO", no).pk);
      if (owner) found.set(no, { memberId: owner });
    }
  }
  return found;
}

/** Fingerprints of the orders among `orderIds` that are already recorded. */
export async function findOrders(tenantId: string, orderIds: readonly string[]): Promise<Map<string, string>> {
  const items = await batchGet<{ orderId: string; fingerprint: string }>(
    orderIds.map((id) => keys.order(tenantId, id)),
    ["orderId", "fingerprint"],
  );
  return new Map(items.map((item) => [item.orderId, item.fingerprint]));
}

/** The store ids among `storeIds` that exist. */
export async function findStores(tenantId: string, storeIds: readonly string[]): Promise<Set<string>> {
  if (storeIds.length === 0) return new Set();
  const items = await batchGet<{ pk: string }>(storeIds.map((id) => keys.store(tenantId, id)), ["pk"]);
  const pks = new Set(items.map((item) => item.pk));
  return new Set(storeIds.filter((id) => pks.has(keys.store(tenantId, id).pk)));
}
