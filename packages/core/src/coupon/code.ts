import { randomInt } from "node:crypto";

/**
 * Coupon codes: 12 characters from 30 symbols without look-alikes (no 0/O, 1/I/L, U), crypto
 * random: 30^12 ≈ 5.3e17 codes, so guessing one of even a million live codes takes ~5e11 tries.
 * Shown grouped as XXXX-XXXX-XXXX; any case, spaces and dashes are accepted on input.
 */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
export const CODE_LENGTH = 12;

export function newCouponCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

const CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** The canonical code of what a person typed or scanned, or undefined if it cannot be a code. */
export function normaliseCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, "").toUpperCase();
  return CODE.test(code) ? code : undefined;
}

export const formatCode = (code: string) => code.match(/.{1,4}/g)!.join("-");
