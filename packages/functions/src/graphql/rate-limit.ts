import { outsideTally } from "@growth/core/db";
import { addRequests, minuteOf } from "@growth/core/ratelimit";
import { DomainError, isDeployed } from "@growth/core/shared";
import type { Principal } from "./auth.js";

/**
 * Per-principal rate limits (README "Security"). Each credential (a staff token's subject, a
 * partner key) may make `perMinute` requests in a UTC minute (`partnerPerMinute` for partner
 * keys) across all containers; the next one is RATE_LIMITED (HTTP 429, Retry-After) until the
 * minute turns. The API Gateway stage throttle (stacks/Api.ts) caps the whole API in front.
 *
 * A container counts what it admits and reports it to a per-(principal, minute) counter in
 * DynamoDB (core/ratelimit) at most once a second per principal, or every 20 requests, off the
 * request's path and outside its request tally; the total it gets back, plus what it admitted
 * since, decides. So the limit holds across containers to within about a second of one
 * container's traffic, costs no latency, and one small write per busy principal a second.
 */
export interface RateLimits {
  /** Requests per minute per staff principal; 0 = no limit. */
  perMinute: number;
  /** Requests per minute per partner key; 0 = no limit. */
  partnerPerMinute: number;
}

/** Deployed defaults; locally (npm start, tests, benchmarks) off unless set. */
export const DEFAULT_RATE_LIMITS: RateLimits = { perMinute: 600, partnerPerMinute: 300 };

export function rateLimits(env: NodeJS.ProcessEnv = process.env, deployed = isDeployed()): RateLimits {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return deployed ? fallback : 0;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of requests per minute, 0 for none (got "${raw}")`);
    return n;
  };
  return { perMinute: read("RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMITS.perMinute), partnerPerMinute: read("PARTNER_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMITS.partnerPerMinute) };
}

const REPORT_EVERY_MS = 1_000;
const REPORT_BATCH = 20;
const MAX_TRACKED = 10_000;

interface Window {
  minute: string;
  /** All containers' requests in the minute, as of our last report. */
  total: number;
  /** Admitted here since the last report. */
  pending: number;
  reporting: boolean;
  lastReport: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly limits: RateLimits) {}

  /** Admits one request of `principal` now or throws RATE_LIMITED. */
  admit(principal: Principal, now = Date.now()): void {
    const limit = principal.kind === "PARTNER" ? this.limits.partnerPerMinute : this.limits.perMinute;
    if (limit === 0) return;
    const key = `${principal.tenantId}|${principal.principalId}`;
    const minute = minuteOf(now);
    let w = this.windows.get(key);
    if (!w || w.minute !== minute) {
      if (this.windows.size >= MAX_TRACKED) this.forgetOld(minute);
      w = { minute, total: 0, pending: 0, reporting: false, lastReport: 0 };
      this.windows.set(key, w);
    }
    if (w.total + w.pending >= limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(`${minute}:00Z`) + 60_000 - now) / 1000));
      throw new DomainError("RATE_LIMITED", `Too many requests: this credential may send ${limit} a minute; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    w.pending++;
    if (!w.reporting && (now - w.lastReport >= REPORT_EVERY_MS || w.pending >= REPORT_BATCH)) this.report(principal, w, now);
  }

  /** Resolves when every report in flight has landed (tests). */
  async settled(): Promise<void> {
    while ([...this.windows.values()].some((w) => w.reporting)) await new Promise((r) => setTimeout(r, 5));
  }

  private report(principal: Principal, w: Window, now: number): void {
    const n = w.pending;
    w.pending = 0;
    w.reporting = true;
    w.lastReport = now;
    void outsideTally(() => addRequests(principal.tenantId, principal.principalId, w.minute, n)).then(
      (total) => {
        w.total = Math.max(w.total, total);
        w.reporting = false;
      },
      () => {
        // The counter could not be written: keep counting locally and report again later.
        w.pending += n;
        w.reporting = false;
      },
    );
  }

  private forgetOld(minute: string): void {
    for (const [key, w] of this.windows) if (w.minute !== minute && !w.reporting) this.windows.delete(key);
  }
}

/** The process's limiter, from the environment (built once). */
let shared: RateLimiter | undefined;
export function rateLimiter(): RateLimiter {
  shared ??= new RateLimiter(rateLimits());
  return shared;
}
