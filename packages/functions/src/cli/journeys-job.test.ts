import { changeCampaignStatus, createCampaign } from "@growth/core/campaign";
import { changeContentStatus, createContent } from "@growth/core/content";
import { listOutbox } from "@growth/core/journey";
import { createMember } from "@growth/core/member";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { parseJobsArgs, run } from "./jobs.js";

const by = { actor: "test" };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), isTTY: false }, out, err };
}

describe("npm run jobs -- journeys", () => {
  it("parses --at and refuses a malformed or future one", () => {
    expect(parseJobsArgs(["journeys", "--tenant", "demo"])).toMatchObject({ variants: [{}] });
    expect(parseJobsArgs(["journeys", "--tenant", "demo", "--at", "2026-11-30T08:15:00Z"])).toMatchObject({ variants: [{ at: "2026-11-30T08:15:00Z" }] });
    expect(parseJobsArgs(["journeys", "--tenant", "demo", "--at", "yesterday"])).toMatch(/at must be an instant/);
    expect(parseJobsArgs(["journeys", "--tenant", "demo", "--at", new Date(Date.now() + 3_600_000).toISOString()])).toMatch(/at is in the future/);
  });

  it("writes the due touches on worker threads, once", async () => {
    const tenant = newTenantId("jcli");
    await createContent(tenant, { id: "hi", title: "Hi", format: "ARTICLE", pyramidType: "INFO", body: "Welcome" }, by);
    await changeContentStatus(tenant, "hi", { status: "PUBLISHED" });
    await createCampaign(tenant, { id: "welcome", name: "Welcome", type: "JOURNEY", config: { journey: { trigger: "JOINED", contentId: "hi", channel: "SMS" } } }, by);
    await changeCampaignStatus(tenant, "welcome", "RUNNING");
    for (let i = 0; i < 3; i++) await createMember(tenant, { sourceChannel: "APP", marketingConsent: i < 2 }, by);
    const at = new Date(Date.now() + 1000).toISOString();

    const first = capture();
    expect(await run(["journeys", "--tenant", tenant, "--at", at, "--segments", "2", "--workers", "2"], first.io)).toBe(0);
    expect(first.out).toHaveLength(1);
    expect(first.out[0]).toMatch(new RegExp(`^journeys\\.\\d{8}T\\d{9}Z for ${tenant} as of \\S+: 3 items read \\(2 segments on 2 workers\\) in \\d+\\.\\d s; journeys for ${tenant} at ${at}: 2 members with consent, 1 running journey\\(s\\): Welcome: 2 due, 2 written, 0 already touched, 0 capped, 0 not eligible$`));
    const again = capture();
    expect(await run(["journeys", "--tenant", tenant, "--segments", "1", "--workers", "1"], again.io)).toBe(0);
    expect(again.out[0]).toMatch(/Welcome: 2 due, 0 written, 2 already touched/);
    expect((await listOutbox(tenant, { campaignId: "welcome" }, {})).items.map((x) => x.channel)).toEqual(["SMS", "SMS"]);
  });
});
