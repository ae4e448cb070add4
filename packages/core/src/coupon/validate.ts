import * as mv from "../member/validate.js";
import { ValidationError } from "../shared/errors.js";
import { CLIENT_ID_PATTERN } from "../shared/ids.js";
import { toMinor } from "../shared/money.js";
import { checkPattern, toUtcInstant } from "../shared/text.js";
import { MAX_PER_MEMBER_LIMIT, MAX_STORE_ALLOW_LIST, MAX_TOTAL_QUANTITY, MAX_VALID_DAYS, REDEMPTION_CHANNELS, type CouponValue, type RedemptionChannel } from "./types.js";

/** What GraphQL passes for a definition (money in major units). */
export interface DefinitionInput {
  id?: string | null;
  campaignId: string;
  name: string;
  amountOff?: number | null;
  percentOff?: number | null;
  minimumSpend?: number | null;
  validFrom?: string | null;
  validTo?: string | null;
  validDays?: number | null;
  totalQuantity: number;
  perMemberLimit?: number | null;
  redeemableAt: string[];
  storeIds?: string[] | null;
  partnerStoreIds?: string[] | null;
}

export const whole = (n: number | null | undefined, field: string, min: number, max: number): number | undefined => {
  if (n === null || n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(`${field} must be a whole number from ${min} to ${max}`, field);
  return n;
};

/** Amount off (> 0) or percent off (1-99): exactly one. */
export function value(input: Pick<DefinitionInput, "amountOff" | "percentOff" | "minimumSpend">): CouponValue {
  const hasAmount = input.amountOff !== null && input.amountOff !== undefined;
  const hasPercent = input.percentOff !== null && input.percentOff !== undefined;
  if (hasAmount === hasPercent) throw new ValidationError("give exactly one of input.amountOff and input.percentOff", hasAmount ? "input.percentOff" : "input.amountOff");
  const minimumSpendMinor = input.minimumSpend === null || input.minimumSpend === undefined ? 0 : toMinor(input.minimumSpend, "input.minimumSpend");
  if (hasPercent) return { percentOff: whole(input.percentOff, "input.percentOff", 1, 99)!, minimumSpendMinor };
  const amountOffMinor = toMinor(input.amountOff!, "input.amountOff");
  if (amountOffMinor === 0) throw new ValidationError("input.amountOff must be greater than zero", "input.amountOff");
  return { amountOffMinor, minimumSpendMinor };
}

/** A fixed window (from and/or to) or N days from issue, not both. */
export function validity(input: Pick<DefinitionInput, "validFrom" | "validTo" | "validDays">): { validFrom?: string; validTo?: string; validDays?: number } {
  const validDays = whole(input.validDays, "input.validDays", 1, MAX_VALID_DAYS);
  const validFrom = input.validFrom ? toUtcInstant(input.validFrom, "input.validFrom") : undefined;
  const validTo = input.validTo ? toUtcInstant(input.validTo, "input.validTo") : undefined;
  if (validDays && (validFrom || validTo)) throw new ValidationError("give either a fixed window (validFrom/validTo) or validDays, not both", "input.validDays");
  if (validFrom && validTo && validTo <= validFrom) throw new ValidationError("input.validTo must be after validFrom", "input.validTo");
  return { validFrom, validTo, validDays };
}

export const totalQuantity = (n: number) => whole(n, "input.totalQuantity", 1, MAX_TOTAL_QUANTITY)!;
export const perMemberLimit = (n: number | null | undefined) => whole(n, "input.perMemberLimit", 1, MAX_PER_MEMBER_LIMIT) ?? 1;

export function channels(values: readonly string[], field = "input.redeemableAt"): RedemptionChannel[] {
  const list = [...new Set(values.map((v) => mv.oneOf(REDEMPTION_CHANNELS, v, field)))];
  if (list.length === 0) throw new ValidationError(`${field} needs at least one of ${REDEMPTION_CHANNELS.join(", ")}`, field);
  return list;
}

export function storeList(values: readonly string[] | null | undefined, field: string): string[] {
  const list = [...new Set((values ?? []).map((v) => checkPattern(v, CLIENT_ID_PATTERN, field, "is not a valid id")))];
  if (list.length > MAX_STORE_ALLOW_LIST) throw new ValidationError(`${field}: at most ${MAX_STORE_ALLOW_LIST}`, field);
  return list;
}
