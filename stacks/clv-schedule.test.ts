/**
 * The predictive CLV schedule entry, checked without synthesising the stack: it names a
 * registered job, its variants are valid parameters of that job, and the scheduled run is the
 * one that writes members' CLV items (the default parameters).
 */
import { getJob } from "@growth/core/jobs";
import { clvParamsKey, DEFAULT_CLV_PARAMS } from "@growth/core/metrics/clv-job";
import { describe, expect, it } from "vitest";
import { JOB_SCHEDULES } from "./Jobs.js";

describe("predictive-clv schedule", () => {
  it("runs daily at 02:30 Shanghai with the job's default parameters", () => {
    const schedule = JOB_SCHEDULES.find((s) => s.job === "predictive-clv");
    expect(schedule).toMatchObject({ cron: "cron(30 18 * * ? *)", description: "daily at 02:30 Asia/Shanghai" });
    const job = getJob("predictive-clv");
    expect(schedule!.variants).toEqual(job.variants);
    expect(schedule!.variants.map((v) => job.paramsKey(job.parseParams(v)))).toEqual([clvParamsKey(DEFAULT_CLV_PARAMS)]);
  });

  it("every schedule names a registered job with valid variants", () => {
    for (const s of JOB_SCHEDULES) {
      const job = getJob(s.job);
      for (const v of s.variants) expect(() => job.parseParams(v)).not.toThrow();
    }
  });
});
