import { changeContentStatus, createContent, getContent } from "@growth/core/content";
import { createMember } from "@growth/core/member";
import { recordOrder } from "@growth/core/order";
import { describe, expect, it } from "vitest";
import { newTenantId } from "../test/tenant.js";
import { parseJobsArgs, run, usage } from "./jobs.js";

const by = { actor: "test" };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), isTTY: false }, out, err };
}

describe("npm run jobs: arguments", () => {
  it("parses a job, its options and the run settings", () => {
    const args = parseJobsArgs(["retention", "--tenant", "demo", "--as-of", "2025-05-14", "--period", "week", "--segments", "8", "--workers", "2", "--fresh"]);
    expect(args).toMatchObject({ tenant: "demo", asOf: "2025-05-14", variants: [{ period: "week" }], segments: 8, workers: 2, fresh: true });
    // Without job options every variant runs.
    expect(parseJobsArgs(["retention", "-t", "demo"])).toMatchObject({ variants: [{ period: "WEEK" }, { period: "MONTH" }], segments: 4, fresh: false });
  });

  it("refuses bad arguments with one line", () => {
    expect(parseJobsArgs(["nope", "--tenant", "x"])).toMatch(/unknown job "nope"/);
    expect(parseJobsArgs(["retention"])).toBe("--tenant is required");
    expect(parseJobsArgs(["retention", "-t", "a#b"])).toMatch(/not a valid tenant id/);
    expect(parseJobsArgs(["retention", "-t", "x", "--period", "DAY"])).toMatch(/period must be WEEK or MONTH/);
    expect(parseJobsArgs(["retention", "-t", "x", "--segments", "0"])).toMatch(/--segments must be a whole number/);
    expect(parseJobsArgs(["retention", "-t", "x", "--as-of", "14/05/2025"])).toMatch(/--as-of must be a date/);
    expect(parseJobsArgs(["retention", "-t", "x", "--colour"])).toMatch(/Unknown option/);
    expect(usage()).toContain("--period WEEK|MONTH");
    expect(usage()).toContain("content-publish: publish scheduled content items");
    expect(parseJobsArgs(["content-publish", "--tenant", "demo"])).toEqual({ task: "content-publish", tenant: "demo" });
    expect(parseJobsArgs(["content-publish"])).toBe("--tenant is required");
    expect(parseJobsArgs(["content-publish", "-t", "x", "--as-of", "2025-01-01"])).toMatch(/Unknown option/);
  });
});

describe("npm run jobs: a run against DynamoDB Local", () => {
  it("prints a one-line summary per variant and exits 0; a bad date exits 2", async () => {
    const tenant = newTenantId("cli");
    await createMember(tenant, { memberId: "m1", sourceChannel: "WEB", joinedAt: "2025-01-10T10:00:00+08:00" }, by);
    await recordOrder(tenant, { orderId: "o1", memberId: "m1", channel: "WEB", amount: 10, occurredAt: "2025-02-11T10:00:00+08:00" }, by);
    const c = capture();
    expect(await run(["retention", "--tenant", tenant, "--as-of", "2025-02-28", "--segments", "2", "--workers", "1"], c.io)).toBe(0);
    expect(c.out).toHaveLength(2);
    expect(c.out[0]).toMatch(new RegExp(`^retention\\.WEEK for ${tenant} as of 2025-02-28: 2 items read \\(2 segments\\) in \\d+\\.\\d s; weekly retention as of 2025-02-28: 1 members in 1 cohorts, 4 matrices written$`));
    expect(c.out[1]).toMatch(/^retention\.MONTH .* 2 items read/);
    // Same command again: everything comes from checkpoints.
    const again = capture();
    expect(await run(["retention", "--tenant", tenant, "--as-of", "2025-02-28", "--period", "MONTH", "--segments", "2", "--workers", "1"], again.io)).toBe(0);
    expect(again.out[0]).toMatch(/0 items read \(0 of 2 segments scanned, 2 from checkpoints\)/);
    const bad = capture();
    expect(await run(["retention", "--tenant", tenant, "--as-of", "2025-02-30"], bad.io)).toBe(2);
    expect(bad.err[0]).toMatch(/asOf must be a calendar date/);
  });
});

describe("npm run jobs: a task", () => {
  it("publishes the tenant's due scheduled content and says what it did", async () => {
    const tenant = newTenantId("cli");
    await createContent(tenant, { id: "due", title: "Due", format: "POSTER", pyramidType: "INFO", mediaUrl: "https://cdn.example.com/due.png" }, by);
    // Scheduled "two minutes ago" for a minute later: due now.
    await changeContentStatus(tenant, "due", { status: "SCHEDULED", publishAt: new Date(Date.now() - 60_000).toISOString() }, new Date(Date.now() - 120_000));
    const c = capture();
    expect(await run(["content-publish", "--tenant", tenant], c.io)).toBe(0);
    expect(c.out).toEqual([expect.stringMatching(new RegExp(`^content-publish for ${tenant}: 1 of 1 due item\\(s\\) published: due \\(\\d+\\.\\d s\\)$`))]);
    expect((await getContent(tenant, "due")).status).toBe("PUBLISHED");
    const again = capture();
    expect(await run(["content-publish", "--tenant", tenant], again.io)).toBe(0);
    expect(again.out[0]).toMatch(/0 of 0 due item\(s\) published/);
  });
});
