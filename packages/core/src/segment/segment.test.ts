import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { runJob } from "../jobs/run.js";
import { listTagRecords } from "../member/children.js";
import { changeTags } from "../member/tags.js";
import { getMember } from "../member/read.js";
import { newTenantId } from "../test/tenant.js";
import { getSettings } from "../tenant/settings.js";
import { recordOrder } from "../order/record.js";
import {
  archiveSegment,
  createSegment,
  getSegment,
  isMemberInSegment,
  listMemberSegments,
  listSegmentMembers,
  listSegments,
  listSizeHistory,
  previewSegment,
  refreshSegment,
  updateSegment,
  validateRule,
  type SegmentsSnapshot,
} from "./index.js";
import { readVersion } from "./refresh.js";
import { buildFixture, FIXTURE_NAMES, HAND_RULES, loadRaw, MORE_RULES, naiveMatches, type FixtureName, type RawMember } from "./test-fixture.js";

const by = { actor: "segment-test" };
const code = async (p: Promise<unknown>) => p.then(() => "OK", (e: { code?: string; message?: string }) => e.code ?? String(e));
const c = (field: string, op: string, extra: Record<string, unknown> = {}) => ({ condition: { field, op, ...extra } });

async function allMembers(t: string, segmentId: string): Promise<string[]> {
  const segment = await getSegment(t, segmentId);
  const out: string[] = [];
  let after: string | null = null;
  do {
    const page = await listSegmentMembers(t, segment, { first: 2, after });
    out.push(...page.items.map((i) => i.memberId));
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return out;
}

describe("segments on a hand-worked brand", () => {
  const t = newTenantId("seg");
  const now = Date.now();
  let ids: Record<FixtureName, string>;
  let raw: RawMember[];
  const nameOf = (id: string) => FIXTURE_NAMES.find((n) => ids[n] === id) ?? id;
  const names = (list: readonly string[]) => list.map(nameOf).sort();

  beforeAll(async () => {
    ids = await buildFixture(t, now);
    raw = await loadRaw(t, Object.values(ids));
  });

  it.each(HAND_RULES)("preview: $name", async ({ rule, expected }) => {
    const preview = await previewSegment(t, rule, { sampleSize: 100, now: new Date(now) });
    expect(names(preview.sampleIds)).toEqual([...expected].sort());
    expect(preview.count).toBe(expected.length);
    // ann, bob, cat, dan, eve: fay is merged into eve, gus is erased.
    expect(preview.evaluated).toBe(5);
    // The naive evaluator (raw orders and events, luxon) agrees with the hand-worked answer.
    expect(names(naiveMatches(validateRule(rule), raw, now))).toEqual([...expected].sort());
  });

  it("agrees with the naive evaluator over raw orders and events on more rules", async () => {
    const sizes: number[] = [];
    for (const rule of MORE_RULES) {
      const preview = await previewSegment(t, rule, { sampleSize: 100, now: new Date(now) });
      const expected = naiveMatches(validateRule(rule), raw, now);
      expect({ rule, members: names(preview.sampleIds) }).toEqual({ rule, members: names(expected) });
      sizes.push(expected.length);
    }
    // Checked by hand for the first eight: ages 30 and 25 (ann, eve); no birthday (cat, dan); F or unknown (ann, cat,
    // dan, eve); not joined by APP; joined before 10 days ago; points 350, 500, 130 (ann, cat, eve); active in 2 days
    // (ann, cat, eve); last order 5 and 10 days ago (ann, bob).
    expect(sizes).toEqual([2, 2, 4, 4, 4, 3, 3, 2, 2, 2, 2, 1, 2, 0, 2, 2, 3, 3]);
  });

  it("samples newest joined first, up to sampleSize, and reads only what the rule needs", async () => {
    const preview = await previewSegment(t, c("ORDER_COUNT", "GTE", { value: 0 }), { sampleSize: 2, now: new Date(now) });
    expect(preview.count).toBe(5);
    // dan joined 3 days ago; the others joined at the same instant, so the id breaks the tie.
    const rest = [ids.ann, ids.bob, ids.cat, ids.eve].sort().reverse();
    expect(preview.sampleIds).toEqual([ids.dan, rest[0]]);
    expect(await code(previewSegment(t, c("TIER", "EQ", { value: "CORE" }), { sampleSize: 101 }))).toBe("BAD_USER_INPUT");
  });

  it("refuses a preview above the synchronous limit with directions to the job", async () => {
    const error = await previewSegment(t, c("TIER", "EQ", { value: "CORE" }), { maxMembers: 4 }).catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: "BAD_USER_INPUT" });
    expect((error as Error).message).toContain("previewSegment evaluates at most 4 members on a request and this brand has more: save the rule as a segment (createSegment) and refresh it with the segments job");
    expect(await code(previewSegment(t, c("TIER", "EQ", { value: "CORE" }), { maxMembers: 7 }))).toBe("OK");
  });

  it("materialises a segment: members, one-read membership checks, member.segments, size history", async () => {
    const [r1, r2] = [HAND_RULES[0]!, HAND_RULES[10]!]; // ann bob eve / ann cat
    const s1 = await createSegment(t, { name: "Repeat buyers 90d", rule: r1.rule }, by);
    const s2 = await createSegment(t, { name: "High AOV", description: "AOV ≥ 100", rule: r2.rule }, by);
    expect(s1).toMatchObject({ status: "ACTIVE", currentVersion: 0, revision: 1 });
    expect(await allMembers(t, s1.segmentId)).toEqual([]);
    expect(await isMemberInSegment(t, s1, ids.ann)).toBe(false);

    const refreshed = await refreshSegment(t, s1.segmentId, { now: new Date(now) });
    expect(refreshed).toMatchObject({ applied: true, version: 1, size: 3, entered: 3, left: 0, tagsAdded: 0, tagsRemoved: 0 });
    expect(refreshed.segment).toMatchObject({ currentVersion: 1, size: 3, computedRevision: 1 });
    await refreshSegment(t, s2.segmentId, { now: new Date(now) });

    expect(names(await allMembers(t, s1.segmentId))).toEqual(["ann", "bob", "eve"]);
    const seg1 = await getSegment(t, s1.segmentId);
    expect(seg1).toMatchObject({ size: 3, currentVersion: 1, entered: 3, left: 0 });
    expect(seg1.computedAt).toBeTruthy();
    expect(seg1.durationMs).toBeGreaterThanOrEqual(0);
    for (const name of FIXTURE_NAMES) expect([name, await isMemberInSegment(t, seg1, ids[name])]).toEqual([name, ["ann", "bob", "eve"].includes(name)]);
    expect((await listMemberSegments(t, ids.ann)).map((s) => s.name)).toEqual(["High AOV", "Repeat buyers 90d"]);
    expect((await listMemberSegments(t, ids.cat)).map((s) => s.name)).toEqual(["High AOV"]);
    expect(await listMemberSegments(t, ids.dan)).toEqual([]);

    // A cursor belongs to one version: after a refresh it is refused, never mixing two.
    const page = await listSegmentMembers(t, seg1, { first: 1 });
    await refreshSegment(t, s1.segmentId, { now: new Date(now) });
    const after = await getSegment(t, s1.segmentId);
    expect(after).toMatchObject({ currentVersion: 2, size: 3, entered: 0, left: 0 });
    expect(await code(listSegmentMembers(t, after, { first: 1, after: page.endCursor }))).toBe("BAD_USER_INPUT");
    // The old version's items are gone; a member's index shows only the current one.
    expect(await readVersion(t, s1.segmentId, 1, 4)).toEqual([]);
    expect((await listMemberSegments(t, ids.bob)).map((s) => s.name)).toEqual(["Repeat buyers 90d"]);

    const history = await listSizeHistory(t, s1.segmentId, { first: 10 });
    expect(history.items.map((p) => [p.version, p.size, p.entered, p.left, p.via])).toEqual([
      [2, 3, 0, 0, "REQUEST"],
      [1, 3, 3, 0, "REQUEST"],
    ]);
    const listed = await listSegments(t, "ACTIVE", { first: 10 });
    expect(listed.items.map((s) => s.name)).toEqual(["High AOV", "Repeat buyers 90d"]);

    // Archived: off the active list, out of member.segments, no membership, no refresh.
    await archiveSegment(t, s2.segmentId);
    expect((await listSegments(t, "ACTIVE", { first: 10 })).items.map((s) => s.name)).toEqual(["Repeat buyers 90d"]);
    expect((await listSegments(t, "ARCHIVED", { first: 10 })).items.map((s) => s.name)).toEqual(["High AOV"]);
    expect((await listMemberSegments(t, ids.ann)).map((s) => s.name)).toEqual(["Repeat buyers 90d"]);
    expect(await isMemberInSegment(t, await getSegment(t, s2.segmentId), ids.ann)).toBe(false);
    expect(await code(refreshSegment(t, s2.segmentId))).toBe("CONFLICT");
    expect(await code(updateSegment(t, s2.segmentId, { name: "x" }))).toBe("CONFLICT");
    await archiveSegment(t, s1.segmentId);
  });

  it("runs as the segments job: the scan path gives the naive evaluator's members as of the end of yesterday", async () => {
    const rules = [HAND_RULES[0]!.rule, HAND_RULES[3]!.rule, HAND_RULES[12]!.rule, HAND_RULES[4]!.rule, MORE_RULES[16]!];
    const segments = [];
    for (const [i, rule] of rules.entries()) segments.push(await createSegment(t, { name: `job ${i}`, rule }, by));
    const { timeZone } = await getSettings(t);
    const result = await runJob<SegmentsSnapshot>("segments", { tenantId: t, segments: 3, workers: 1 });
    // The job's clock: the last millisecond of the as-of date (yesterday) in the brand's zone.
    const jobNow = DateTime.now().setZone(timeZone).startOf("day").toMillis() - 1;
    expect(result.snapshot.results.map((r) => r.name)).toEqual(rules.map((_, i) => `job ${i}`));
    for (const [i, s] of segments.entries()) {
      const expected = naiveMatches(validateRule(rules[i]), raw, jobNow);
      expect({ i, members: names(await allMembers(t, s.segmentId)) }).toEqual({ i, members: names(expected) });
      expect(await getSegment(t, s.segmentId)).toMatchObject({ size: expected.length, currentVersion: 1 });
      expect((await listSizeHistory(t, s.segmentId, {})).items[0]).toMatchObject({ via: "JOB", size: expected.length });
    }
    expect(result.summary).toContain("5 live members, 5 segment(s)");

    // --segment: one segment only.
    const one = await runJob<SegmentsSnapshot>("segments", { tenantId: t, segments: 1, workers: 1, params: { segment: segments[1]!.segmentId }, fresh: true });
    expect(one.snapshot.results.map((r) => r.segmentId)).toEqual([segments[1]!.segmentId]);
    expect(await getSegment(t, segments[1]!.segmentId)).toMatchObject({ currentVersion: 2 });
    expect(await getSegment(t, segments[0]!.segmentId)).toMatchObject({ currentVersion: 1 });
    for (const s of segments) await archiveSegment(t, s.segmentId);
  });
});

describe("refresh under concurrency and tags from rules", () => {
  const t = newTenantId("segc");
  const now = Date.now();
  let ids: Record<FixtureName, string>;
  const nameOf = (id: string) => FIXTURE_NAMES.find((n) => ids[n] === id) ?? id;
  const names = (list: readonly string[]) => list.map(nameOf).sort();

  beforeAll(async () => {
    ids = await buildFixture(t, now);
  });

  it("two refreshes at once leave one consistent membership; a dead refresh's items are cleaned by the next", async () => {
    const s = await createSegment(t, { name: "Repeat", rule: HAND_RULES[0]!.rule }, by);
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Both have written their version before either flips.
    const beforeFlip = async () => {
      if (++arrived === 2) release();
      await gate;
    };
    const results = await Promise.all([refreshSegment(t, s.segmentId, { beforeFlip }), refreshSegment(t, s.segmentId, { beforeFlip })]);
    expect(results.map((r) => r.applied).sort()).toEqual([false, true]);
    const winner = results.find((r) => r.applied)!;
    const segment = await getSegment(t, s.segmentId);
    expect(segment).toMatchObject({ currentVersion: winner.version, versionCounter: 2, size: 3 });
    expect(names(await allMembers(t, s.segmentId))).toEqual(["ann", "bob", "eve"]);
    const loser = results.find((r) => !r.applied)!;
    expect(await readVersion(t, s.segmentId, loser.version, 4)).toEqual([]);
    expect((await listSizeHistory(t, s.segmentId, {})).items).toHaveLength(1);

    // A refresh that dies after writing its version leaves items; the next refresh deletes them.
    expect(await code(refreshSegment(t, s.segmentId, { beforeFlip: async () => Promise.reject(new Error("killed")) }))).toContain("killed");
    expect(await readVersion(t, s.segmentId, 3, 4)).toHaveLength(3);
    const next = await refreshSegment(t, s.segmentId);
    expect(next).toMatchObject({ applied: true, version: 4, size: 3, entered: 0, left: 0 });
    for (const v of [1, 2, 3]) expect(await readVersion(t, s.segmentId, v, 4)).toEqual([]);
    expect(await getSegment(t, s.segmentId)).toMatchObject({ currentVersion: 4, cleanedThrough: 3 });

    // A rule change while a refresh computes with the old rule: the old result cannot land.
    const stale = refreshSegment(t, s.segmentId, { beforeFlip: () => updateSegment(t, s.segmentId, { rule: HAND_RULES[1]!.rule }).then(() => undefined) });
    expect(await stale).toMatchObject({ applied: false });
    expect(await getSegment(t, s.segmentId)).toMatchObject({ currentVersion: 4, revision: 2, computedRevision: 1 });
    expect(await readVersion(t, s.segmentId, 5, 4)).toEqual([]);
    await archiveSegment(t, s.segmentId);
  });

  it("gives the segment's tag to members who enter and takes it (if it came from the rule) from those who leave", async () => {
    await changeTags(t, ids.bob, { add: ["buyer"], source: "MANUAL" });
    expect(await code(createSegment(t, { name: "x", rule: c("HAS_TAG", "ANY_OF", { values: ["buyer"] }), applyTag: "buyer" }, by))).toBe("BAD_USER_INPUT");
    const s = await createSegment(t, { name: "Buyers", rule: HAND_RULES[0]!.rule, applyTag: "buyer" }, by); // ann bob eve
    const sources = async () => {
      const out: Record<string, string | undefined> = {};
      for (const name of ["ann", "bob", "cat", "eve"] as const) out[name] = (await listTagRecords(t, ids[name], true)).find((r) => r.tag === "buyer")?.source;
      return out;
    };

    expect(await refreshSegment(t, s.segmentId)).toMatchObject({ size: 3, entered: 3, tagsAdded: 2, tagsRemoved: 0 });
    expect(await sources()).toEqual({ ann: "RULE", bob: "MANUAL", cat: undefined, eve: "RULE" });

    // Rule: net spend ≥ 100 in 90 days (ann, eve). Bob leaves but keeps his manual tag.
    const updated = await updateSegment(t, s.segmentId, { rule: HAND_RULES[1]!.rule });
    expect(updated).toMatchObject({ revision: 2, computedRevision: 1 });
    expect(await refreshSegment(t, s.segmentId)).toMatchObject({ size: 2, entered: 0, left: 1, tagsAdded: 0, tagsRemoved: 0 });
    expect(await sources()).toEqual({ ann: "RULE", bob: "MANUAL", cat: undefined, eve: "RULE" });

    // Rule: net spend ≥ 200 in 90 days (ann). Eve leaves and loses the rule's tag.
    await updateSegment(t, s.segmentId, { rule: c("NET_SPEND", "GTE", { value: 200, window: { inLastDays: 90 } }) });
    expect(await refreshSegment(t, s.segmentId)).toMatchObject({ size: 1, entered: 0, left: 1, tagsAdded: 0, tagsRemoved: 1 });
    expect(await sources()).toEqual({ ann: "RULE", bob: "MANUAL", cat: undefined, eve: undefined });
    expect((await getMember(t, ids.eve)).tags).not.toContain("buyer");

    // New data: cat buys 300 today and enters; a rerun with nothing new changes nothing.
    await recordOrder(t, { orderId: "cat-new", memberId: ids.cat, channel: "APP", amount: 300, occurredAt: new Date().toISOString() }, by);
    expect(await refreshSegment(t, s.segmentId)).toMatchObject({ size: 2, entered: 1, left: 0, tagsAdded: 1, tagsRemoved: 0 });
    expect(await refreshSegment(t, s.segmentId)).toMatchObject({ size: 2, entered: 0, left: 0, tagsAdded: 0, tagsRemoved: 0 });
    expect(await sources()).toEqual({ ann: "RULE", bob: "MANUAL", cat: "RULE", eve: undefined });
    expect((await listSizeHistory(t, s.segmentId, {})).items.map((p) => [p.size, p.entered, p.left])).toEqual([
      [2, 0, 0],
      [2, 1, 0],
      [1, 0, 1],
      [2, 0, 1],
      [3, 3, 0],
    ]);
    // Changing the rule to test its own tag is refused.
    expect(await code(updateSegment(t, s.segmentId, { rule: c("HAS_TAG", "NONE_OF", { values: ["buyer"] }) }))).toBe("BAD_USER_INPUT");
  });
});
