import { changeContentStatus } from "../content/status.js";
import { createContent, findContent } from "../content/store.js";
import type { ContentFormat, PyramidType } from "../content/types.js";
import type { Channel } from "../member/types.js";
import type { Segment } from "../segment/types.js";
import { CONTENT } from "./catalog.js";
import type { DemoPlan } from "./generate.js";

/**
 * The demo's content: one item per catalog entry the events refer to (published on its
 * catalog date, 10:00 Shanghai), across the whole pyramid, one of them a member's UGC, two made
 * for a segment; plus a draft and an item scheduled a week after the load. Written through the
 * domain functions before the members, so every demo event and attributed order moves the
 * items' counters as it would in production.
 */
interface DemoContent {
  title: string;
  format: ContentFormat;
  pyramidType: PyramidType;
  channels: Channel[];
  tags: string[];
  body?: string;
  /** Key of a demo segment (segments.ts) the item is made for. */
  audience?: string;
  ugc?: boolean;
  /** Archived on this Shanghai date. */
  archivedOn?: string;
}

const UGC_ID = "ct-ugc-latte-art";

const SPECS: Record<string, DemoContent> = {
  "ct-autumn-osmanthus-launch": { title: "桂花拿铁秋季上新", format: "ARTICLE", pyramidType: "INFO", channels: ["WECHAT_OA", "MINI_PROGRAM"], tags: ["新品", "秋季"], body: "金桂飘香，桂花拿铁回归。" },
  "ct-tea-origin-story": { title: "一片茶叶的旅程：云南茶园溯源", format: "SHORT_VIDEO", pyramidType: "VALUE", channels: ["WECHAT_OA", "COMMUNITY_GROUP"], tags: ["茶", "溯源"] },
  "ct-double11-preview": { title: "双11会员专享预告", format: "POSTER", pyramidType: "INFO", channels: ["WECHAT_OA", "WECOM", "COMMUNITY_GROUP"], tags: ["双11", "促销"], archivedOn: "2025-11-12" },
  "ct-winter-warm-drinks": { title: "冬日暖饮投票：你最爱哪一杯？", format: "IMAGE", pyramidType: "INTERACTIVE", channels: ["MINI_PROGRAM", "COMMUNITY_GROUP"], tags: ["投票", "冬季"] },
  "ct-member-story-barista": { title: "会员故事：从顾客到咖啡师", format: "ARTICLE", pyramidType: "EMOTIONAL", channels: ["WECHAT_OA"], tags: ["会员故事"], body: "三年前她是我们的常客，今天她在门店为你做咖啡。" },
  "ct-spring-festival-gift-box": { title: "新春礼盒开箱直播", format: "LIVE_STREAM", pyramidType: "INFO", channels: ["LIVE", "MINI_PROGRAM"], tags: ["新春", "礼盒"] },
  "ct-low-sugar-guide": { title: "低糖饮品选择指南", format: "ARTICLE", pyramidType: "VALUE", channels: ["WECHAT_OA", "MINI_PROGRAM"], tags: ["健康", "指南"], body: "少糖、三分糖还是零卡糖？" },
  "ct-spring-sakura-launch": { title: "樱花季限定上新", format: "POSTER", pyramidType: "INFO", channels: ["WECHAT_OA", "MINI_PROGRAM", "WECOM"], tags: ["新品", "春季"] },
  "ct-618-member-week": { title: "618会员周：积分翻倍", format: "ARTICLE", pyramidType: "INTERACTIVE", channels: ["WECHAT_OA", "WECOM", "MINI_PROGRAM"], tags: ["618", "会员"], body: "6月1日至18日，会员消费积分翻倍。", audience: "reachable" },
  "ct-summer-fruit-tea": { title: "夏日水果茶测评", format: "SHORT_VIDEO", pyramidType: "VALUE", channels: ["MINI_PROGRAM", "COMMUNITY_GROUP"], tags: ["夏季", "测评"] },
  "ct-coffee-bean-report": { title: "2026咖啡豆产地报告", format: "ARTICLE", pyramidType: "VALUE", channels: ["WECHAT_OA"], tags: ["咖啡", "报告"], body: "埃塞俄比亚、哥伦比亚与云南产区对比。" },
  "ct-mid-autumn-mooncake": { title: "中秋月饼礼盒预订", format: "POSTER", pyramidType: "INFO", channels: ["WECHAT_OA", "MINI_PROGRAM", "COMMUNITY_GROUP"], tags: ["中秋", "礼盒"], audience: "repeat" },
  [UGC_ID]: { title: "我的拿铁拉花", format: "IMAGE", pyramidType: "EMOTIONAL", channels: ["MINI_PROGRAM", "COMMUNITY_GROUP"], tags: ["UGC", "拉花"], ugc: true },
};

const media = (id: string) => `https://cdn.demo-brand.example/content/${id}`;
const tenAm = (date: string) => new Date(`${date}T10:00:00+08:00`);
const by = { actor: "demo-loader" };

/**
 * The member who posted the demo's UGC: the first in the plan who shares content, was not
 * referred (so the loader can write it before everyone else) and has no event on the post
 * itself (those would come before the post exists).
 */
export function demoUgcAuthor(plan: DemoPlan): string {
  const ok = (m: DemoPlan["members"][number]) => !m.referrerId && !m.events.some((e) => e.contentId === UGC_ID);
  const author = plan.members.find((m) => ok(m) && m.events.some((e) => e.type === "SHARE")) ?? plan.members.find(ok) ?? plan.members[0]!;
  return author.memberId;
}

async function ensureItem(tenantId: string, id: string, input: Parameters<typeof createContent>[1], steps: (() => Promise<unknown>)[]): Promise<boolean> {
  const existing = await findContent(tenantId, id, true);
  if (existing && (existing.status !== "DRAFT" || steps.length === 0)) return false;
  if (!existing) await createContent(tenantId, { ...input, id }, by);
  for (const step of steps) await step();
  return true;
}

/**
 * Creates the demo content that is missing, brand content (`ugc: false`, before any member) or
 * the member's post (`ugc: true`, once its author exists); returns how many items were written.
 */
export async function loadDemoContent(tenantId: string, plan: DemoPlan, segments: Map<string, Segment>, opts: { ugc: boolean; now?: Date }): Promise<number> {
  const now = opts.now ?? new Date();
  let written = 0;
  for (const c of CONTENT) {
    const spec = SPECS[c.id];
    if (!spec || Boolean(spec.ugc) !== opts.ugc) continue;
    const input = {
      title: spec.title,
      body: spec.body,
      mediaUrl: media(c.id),
      format: spec.format,
      pyramidType: spec.pyramidType,
      channels: spec.channels,
      tags: spec.tags,
      author: spec.ugc ? { kind: "MEMBER", memberId: demoUgcAuthor(plan) } : { kind: "BRAND", name: "品牌内容中心" },
      audienceSegmentId: spec.audience ? segments.get(spec.audience)?.segmentId : undefined,
    };
    const steps = [() => changeContentStatus(tenantId, c.id, { status: "PUBLISHED" }, tenAm(c.publishedAt))];
    if (spec.archivedOn) steps.push(() => changeContentStatus(tenantId, c.id, { status: "ARCHIVED" }, tenAm(spec.archivedOn!)));
    if (await ensureItem(tenantId, c.id, input, steps)) written++;
  }
  if (opts.ugc) return written;
  // A draft, and an item scheduled for a week after the load: the workflow's other states.
  const draft = { title: "冬季新品预告（草稿）", format: "ARTICLE", pyramidType: "INFO", channels: ["WECHAT_OA"], tags: ["新品", "冬季"], author: { kind: "BRAND", name: "品牌内容中心" } };
  if (await ensureItem(tenantId, "ct-winter-launch-draft", draft, [])) written++;
  const scheduled = { title: "圣诞限定杯套", mediaUrl: media("ct-christmas-sleeve"), format: "POSTER", pyramidType: "EMOTIONAL", channels: ["MINI_PROGRAM", "WECOM"], tags: ["圣诞"], author: { kind: "BRAND", name: "品牌内容中心" } };
  const publishAt = new Date(now.getTime() + 7 * 86_400_000).toISOString();
  if (await ensureItem(tenantId, "ct-christmas-sleeve", scheduled, [() => changeContentStatus(tenantId, "ct-christmas-sleeve", { status: "SCHEDULED", publishAt }, now)])) written++;
  return written;
}
