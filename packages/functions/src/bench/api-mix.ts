import {
  baselineByIdentity,
  baselineCampaign,
  baselineLedger,
  baselineProfile,
  baselineRecordOrder,
  baselineRedeem,
  baselineSegments,
  baselineTierPage,
  type BaselineContext,
} from "@growth/core/bench";

/**
 * The operation mix of `npm run bench -- api`: what a console and a mini program really send,
 * each as its GraphQL document, the minimal direct DynamoDB calls for the same data
 * (`@growth/core/bench` api-baseline) and the minimum the access patterns need: DynamoDB
 * requests and dependent levels (one request per level, reads of one level batched).
 */
export interface ApiFixture {
  tenantId: string;
  /** Members with orders (profile, ledger). */
  profiles: string[];
  identities: { channel: string; externalId: string }[];
  /** A tier whose first page of 50 has referrers outside the page. */
  tier: string;
  /** Live members with orders and no campaign touch: a new order is attributed to nothing. */
  buyers: string[];
  /** Members with a large balance: a 1-point redemption never runs dry. */
  redeemers: string[];
  campaignId: string;
  /** Prefix of the write ids of this run. */
  runId: string;
}

export interface MixOp {
  name: string;
  /** What the screen shows. */
  description: string;
  query: string;
  variables: (f: ApiFixture, i: number) => Record<string, unknown>;
  baseline: (c: BaselineContext, f: ApiFixture, i: number) => Promise<unknown>;
  minimum: { requests: number; levels: number; how: string };
  write?: boolean;
}

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
let sequence = 0;
/** A client id unique in this process and run (orders, redemptions). */
const nextId = (f: ApiFixture, kind: string) => `${f.runId}-${kind}-${process.pid}-${++sequence}`;

export const MIX: readonly MixOp[] = [
  {
    name: "memberProfile",
    description: "member profile with tags, points and the last 10 orders",
    query: `query Profile($id: ID!) { member(id: $id) { id name tier tags points { balance } stats { orderCount netSpend { amount currency } lastOrderAt } orders(first: 10) { edges { node { id amount { amount } status channel occurredAt } } pageInfo { hasNextPage endCursor } } } }`,
    variables: (f, i) => ({ id: pick(f.profiles, i) }),
    baseline: (c, f, i) => baselineProfile(c, pick(f.profiles, i)),
    minimum: { requests: 2, levels: 1, how: "GetItem member ‖ Query gsi1 orders" },
  },
  {
    name: "memberByIdentity",
    description: "member by channel identity (mini program sign-in)",
    query: `query ByIdentity($channel: Channel!, $externalId: String!) { memberByIdentity(channel: $channel, externalId: $externalId) { id name tier points { balance } } }`,
    variables: (f, i) => ({ ...pick(f.identities, i) }),
    baseline: (c, f, i) => {
      const id = pick(f.identities, i);
      return baselineByIdentity(c, id.channel, id.externalId);
    },
    minimum: { requests: 2, levels: 2, how: "GetItem identity → GetItem member" },
  },
  {
    name: "membersByTier",
    description: "page of 50 members of a tier with their referrer",
    query: `query TierPage($tier: Tier!) { members(filter: { tier: $tier }, first: 50) { edges { node { id name tier joinedAt referrer { id name tier } } } pageInfo { hasNextPage endCursor } } }`,
    variables: (f) => ({ tier: f.tier }),
    baseline: (c, f) => baselineTierPage(c, f.tier),
    minimum: { requests: 5, levels: 2, how: "4 shard Queries gsi2 → BatchGetItem referrers" },
  },
  {
    name: "ledgerPage",
    description: "a member's points balance and ledger page (20)",
    query: `query Ledger($id: ID!) { member(id: $id) { id points { balance ledger(first: 20) { edges { node { id type points reason createdAt } } pageInfo { hasNextPage endCursor } } } } }`,
    variables: (f, i) => ({ id: pick(f.profiles, i + 7) }),
    baseline: (c, f, i) => baselineLedger(c, pick(f.profiles, i + 7)),
    minimum: { requests: 2, levels: 1, how: "GetItem member ‖ Query ledger" },
  },
  {
    name: "recordOrder",
    description: "record an order (mini program checkout)",
    query: `mutation RecordOrder($input: RecordOrderInput!) { recordOrder(input: $input) { order { id pointsEarned status } duplicate } }`,
    variables: (f, i) => ({ input: { id: nextId(f, "o"), memberId: pick(f.buyers, i), channel: "MINI_PROGRAM", amount: 88.5, occurredAt: new Date().toISOString() } }),
    baseline: (c, f, i) => baselineRecordOrder(c, { orderId: nextId(f, "bo"), memberId: pick(f.buyers, i + 1), amount: 88.5, occurredAt: new Date().toISOString() }),
    minimum: { requests: 2, levels: 2, how: "BatchGetItem member + ACTIVITY (consistent) → TransactWriteItems" },
    write: true,
  },
  {
    name: "redeemPoints",
    description: "redeem points (counter)",
    query: `mutation Redeem($input: PointsInput!) { redeemPoints(input: $input) { entry { id points } member { id points { balance } } duplicate } }`,
    variables: (f, i) => ({ input: { memberId: pick(f.redeemers, i), points: 1, reason: "bench", requestId: nextId(f, "r") } }),
    baseline: (c, f, i) => baselineRedeem(c, pick(f.redeemers, i + 1), 1, nextId(f, "br")),
    minimum: { requests: 2, levels: 2, how: "TransactWriteItems → GetItem member (consistent)" },
    write: true,
  },
  {
    name: "segmentList",
    description: "segments screen: saved segments with sizes",
    query: `query Segments { segments(first: 20) { edges { node { id name ruleText size stale computedAt } } pageInfo { hasNextPage } } }`,
    variables: () => ({}),
    baseline: (c) => baselineSegments(c),
    minimum: { requests: 1, levels: 1, how: "Query gsi1 segment list" },
  },
  {
    name: "campaignScreen",
    description: "campaign screen: a campaign with its results and funnel",
    query: `query Campaign($id: ID!) { campaign(id: $id) { id name type status results { orders newCustomers attributedRevenue { amount currency } roi funnel { step members rate } } } }`,
    variables: (f) => ({ id: f.campaignId }),
    baseline: (c, f) => baselineCampaign(c, f.campaignId),
    minimum: { requests: 1, levels: 1, how: "BatchGetItem campaign + 4 counter shards (one partition)" },
  },
];
