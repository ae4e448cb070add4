/**
 * Typed key builders for the single table. Every partition key starts with `T#<tenant>#`, and
 * tenant ids cannot contain `#`, so no key built here can reach another tenant's items.
 * Access patterns (which index answers which question) are listed in ARCHITECTURE.md.
 */
import { ValidationError } from "../shared/errors.js";

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function assertTenantId(tenantId: string): string {
  if (!TENANT_ID.test(tenantId)) throw new ValidationError("tenant id is malformed", "tenant");
  return tenantId;
}

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;

export interface Keys {
  pk: string;
  sk: string;
}
export type IndexKeys = Partial<Record<"gsi1pk" | "gsi1sk" | "gsi2pk" | "gsi2sk" | "gsi3pk" | "gsi3sk", string>>;

export const keys = {
  tenant: (tenantId: string): Keys => ({ pk: t(tenantId), sk: "TENANT" }),
  /** The tenant's wrapped personal-data keys (pii/keyring.ts). */
  keyring: (tenantId: string): Keys => ({ pk: t(tenantId), sk: "KEYRING" }),

  member: (tenantId: string, memberId: string): Keys => ({ pk: `${t(tenantId)}#M#${memberId}`, sk: "MEMBER" }),
  /** The member's own partition: also holds its tags, points ledger and consent history. */
  memberPartition: (tenantId: string, memberId: string) => `${t(tenantId)}#M#${memberId}`,
  /** gsi1: every member by join time, spread over `listShard` partitions. */
  membersByJoined: (tenantId: string, shard: string) => `${t(tenantId)}#MEMBERS#${shard}`,
  /** gsi2: members of one tier by join time, sharded. */
  membersByTier: (tenantId: string, tier: string, shard: string) => `${t(tenantId)}#TIER#${tier}#${shard}`,
  /** gsi3 (sparse): members a member referred, by join time. */
  referralsOf: (tenantId: string, referrerId: string) => `${t(tenantId)}#REFERRER#${referrerId}`,
  /** Sort key for the sharded member lists: join time, then id for a total order. */
  joinedSort: (joinedAt: string, memberId: string) => `${joinedAt}#${memberId}`,

  memberKey: (tenantId: string, kind: string, value: string): Keys => ({
    pk: `${t(tenantId)}#KEY#${kind}#${value}`,
    sk: "KEY",
  }),

  identity: (tenantId: string, channel: string, externalId: string): Keys => ({
    pk: `${t(tenantId)}#ID#${channel}#${externalId}`,
    sk: "IDENTITY",
  }),
  identitySort: (channel: string, externalId: string) => `IDENTITY#${channel}#${externalId}`,
  /** gsi2: members with an identity on a channel, by join time, sharded. */
  membersByChannel: (tenantId: string, channel: string, shard: string) => `${t(tenantId)}#CHANNEL#${channel}#${shard}`,

  memberTag: (tenantId: string, memberId: string, tag: string): Keys => ({
    pk: `${t(tenantId)}#M#${memberId}`,
    sk: `TAG#${tag}`,
  }),
  /** gsi2: members with a tag, by join time, sharded. */
  membersByTag: (tenantId: string, tag: string, shard: string) => `${t(tenantId)}#TAG#${tag}#${shard}`,

  order: (tenantId: string, orderId: string): Keys => ({ pk: `${t(tenantId)}#ORDER#${orderId}`, sk: "ORDER" }),
  orderSort: (occurredAt: string, orderId: string) => `ORDER#${occurredAt}#${orderId}`,
  ordersOfStore: (tenantId: string, storeId: string) => `${t(tenantId)}#STORE#${storeId}`,

  refund: (tenantId: string, refundId: string): Keys => ({ pk: `${t(tenantId)}#REFUND#${refundId}`, sk: "REFUND" }),
  refundsOfOrder: (tenantId: string, orderId: string) => `${t(tenantId)}#ORDER#${orderId}`,
  refundSort: (occurredAt: string, refundId: string) => `REFUND#${occurredAt}#${refundId}`,

  event: (tenantId: string, eventId: string): Keys => ({ pk: `${t(tenantId)}#EVENT#${eventId}`, sk: "EVENT" }),
  eventSort: (occurredAt: string, eventId: string) => `EVENT#${occurredAt}#${eventId}`,

  pointsEntry: (tenantId: string, memberId: string, entryId: string): Keys => ({
    pk: `${t(tenantId)}#M#${memberId}`,
    sk: `POINTS#${entryId}`,
  }),
  consentChange: (tenantId: string, memberId: string, changeId: string): Keys => ({
    pk: `${t(tenantId)}#M#${memberId}`,
    sk: `CONSENT#${changeId}`,
  }),

  tierChange: (tenantId: string, memberId: string, changeId: string): Keys => ({
    pk: `${t(tenantId)}#M#${memberId}`,
    sk: `TIER#${changeId}`,
  }),

  requestKey: (tenantId: string, scope: string, requestId: string): Keys => ({
    pk: `${t(tenantId)}#REQ#${scope}#${requestId}`,
    sk: "REQ",
  }),

  /** Marketing spend (CAC, ROI), by the client's id; gsi1 lists a brand's spend by date. */
  marketingSpend: (tenantId: string, spendId: string): Keys => ({ pk: `${t(tenantId)}#SPEND#${spendId}`, sk: "SPEND" }),
  spendOfTenant: (tenantId: string) => `${t(tenantId)}#SPENDS`,
  spendSort: (date: string, spendId: string) => `${date}#${spendId}`,

  store: (tenantId: string, storeId: string): Keys => ({ pk: `${t(tenantId)}#STORE#${storeId}`, sk: "STORE" }),
  storesByGeoCell: (tenantId: string, cell: string) => `${t(tenantId)}#GEO#${cell}`,
  storesOfTenant: (tenantId: string) => `${t(tenantId)}#STORES`,
};

/** Sort-key prefixes of the item kinds that share a partition or an index partition. */
export const SK = {
  member: "MEMBER",
  tag: "TAG#",
  points: "POINTS#",
  consent: "CONSENT#",
  tierChange: "TIER#",
  identity: "IDENTITY#",
  order: "ORDER#",
  event: "EVENT#",
  refund: "REFUND#",
} as const;

/** Strips key attributes before an item leaves the data layer. */
export function stripKeys<T extends Record<string, unknown>>(item: T): Omit<T, keyof Keys | keyof IndexKeys> {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ...rest } = item;
  return rest as Omit<T, keyof Keys | keyof IndexKeys>;
}
