import { DateTime } from "luxon";
import type { JourneyConfig } from "../campaign/types.js";
import { localDate, startOfLocalDay } from "../jobs/periods.js";
import type { JourneyFacts, Occurrence } from "./types.js";

const HOUR_MS = 3_600_000;
/**
 * How late a trigger may still be acted on. The job runs every 15 minutes; a day covers runs
 * missed by an outage or a paused campaign, without a newly started journey messaging members
 * about things that happened long ago (a welcome a month after joining reads as spam).
 */
export const CATCH_UP_HOURS = 24;

/** Whether an occurrence that fired at `due` is acted on at `at`: fired, and not too long ago. */
const inWindow = (due: number, at: number) => due <= at && due > at - CATCH_UP_HOURS * HOUR_MS;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Day-based triggers (birthday, inactivity) fire at this local hour, not at midnight: a
 * greeting at 00:02 is worse than none.
 */
export const LOCAL_SEND_HOUR = 9;

/**
 * The member's birthday in the year of `date` (`YYYY-MM-DD`): 29 February is kept on
 * 28 February in other years, so those members are greeted every year.
 */
function birthdayIn(birthday: string, year: number): string {
  const [, mm, dd] = birthday.split("-");
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return mm === "02" && dd === "29" && !leap ? `${year}-02-28` : `${year}-${mm}-${dd}`;
}

/**
 * The occurrence of a journey's trigger that is due for a member at `at` (ms), if any. Pure:
 * a function of the member's facts, the campaign's settings and zone, and the run instant.
 * Exact definitions (docs/campaigns.md, "Automated journeys"):
 * - JOINED: fires at `joinedAt`; once per member.
 * - FIRST_PURCHASE: fires at `firstOrderAt`; once per member.
 * - CART_ABANDONED: the latest add-to-cart `c` fires at `c + afterHours` if the member has no
 *   order at or after `c`; each new add-to-cart is a new occurrence.
 * - INACTIVE: the last activity `L` (or the join, if never active) fires at LOCAL_SEND_HOUR of
 *   the local day after `inactiveDays` full local days without activity; each new activity
 *   starts a new spell.
 * - BIRTHDAY: fires at LOCAL_SEND_HOUR of the birthday's local day, valid until that day ends;
 *   once a year.
 * - TIER_CHANGED: the latest tier change fires at `tierUpdatedAt` (only into `toTier` if set).
 * All but BIRTHDAY are acted on up to CATCH_UP_HOURS after they fire.
 */
export function occurrenceOf(journey: JourneyConfig, zone: string, f: JourneyFacts, at: number): Occurrence | undefined {
  const fire = (key: string, due: number): Occurrence | undefined => (inWindow(due, at) ? { trigger: journey.trigger, key, at: iso(due) } : undefined);
  switch (journey.trigger) {
    case "JOINED":
      return fire("JOINED", Date.parse(f.joinedAt));
    case "FIRST_PURCHASE":
      return f.firstOrderAt ? fire("FIRST_PURCHASE", Date.parse(f.firstOrderAt)) : undefined;
    case "CART_ABANDONED": {
      if (!f.lastCartAt) return undefined;
      if (f.lastOrderAt && f.lastOrderAt >= f.lastCartAt) return undefined;
      return fire(`CART_ABANDONED:${f.lastCartAt}`, Date.parse(f.lastCartAt) + (journey.afterHours ?? 0) * HOUR_MS);
    }
    case "INACTIVE": {
      const last = f.lastActiveAt ?? f.joinedAt;
      const days = journey.inactiveDays ?? 0;
      const due = DateTime.fromISO(last, { zone }).startOf("day").plus({ days: days + 1, hours: LOCAL_SEND_HOUR }).toMillis();
      return fire(`INACTIVE:${last}`, due);
    }
    case "BIRTHDAY": {
      if (!f.birthday) return undefined;
      const today = localDate(at, zone);
      if (birthdayIn(f.birthday, Number(today.slice(0, 4))) !== today) return undefined;
      const due = DateTime.fromISO(startOfLocalDay(today, zone), { zone }).plus({ hours: LOCAL_SEND_HOUR }).toMillis();
      return due <= at ? { trigger: "BIRTHDAY", key: `BIRTHDAY:${today.slice(0, 4)}`, at: iso(due) } : undefined;
    }
    case "TIER_CHANGED": {
      if (!f.tierUpdatedAt) return undefined;
      if (journey.toTier && f.tier !== journey.toTier) return undefined;
      return fire(`TIER_CHANGED:${f.tierUpdatedAt}:${f.tier}`, Date.parse(f.tierUpdatedAt));
    }
  }
}

/** The member facts the triggers read, from a MEMBER item (scan projection). */
export function journeyFacts(item: Record<string, unknown>): JourneyFacts {
  const s = (k: string) => (typeof item[k] === "string" ? (item[k] as string) : undefined);
  return {
    memberId: item.memberId as string,
    listShard: String(item.listShard ?? "0"),
    joinedAt: item.joinedAt as string,
    tier: item.tier as string,
    ...Object.fromEntries(
      (["birthday", "tierUpdatedAt", "firstOrderAt", "lastOrderAt", "lastActiveAt", "lastCartAt"] as const).flatMap((k) => (s(k) ? [[k, s(k)]] : [])),
    ),
  };
}

export const JOURNEY_FACT_FIELDS = ["memberId", "status", "marketingConsent", "listShard", "joinedAt", "birthday", "tier", "tierUpdatedAt", "firstOrderAt", "lastOrderAt", "lastActiveAt", "lastCartAt"] as const;
