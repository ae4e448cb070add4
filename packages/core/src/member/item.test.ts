import { describe, expect, it } from "vitest";
import type { PiiCipher } from "../pii/cipher.js";
import { fromMemberItem } from "./item.js";

/** A cipher that counts its decryptions: the stored form is `pii1.1.<reversed plaintext>`. */
function countingCipher() {
  const decrypted: string[] = [];
  const cipher: PiiCipher = {
    tenantId: "t1",
    version: undefined,
    encrypt: () => {
      throw new Error("not used");
    },
    decrypt: (field, stored) => {
      decrypted.push(field);
      return stored.slice("pii1.1.".length).split("").reverse().join("");
    },
    blindIndex: () => "",
  };
  return { cipher, decrypted };
}

const stored = { pk: "T#t1#M#m1", sk: "PROFILE", gsi1pk: "x", gsi1sk: "y", tenantId: "t1", memberId: "m1", name: "Li", phone: "pii1.1.0008310083168+", email: "pii1.1.moc.elpmaxe@il" };

describe("fromMemberItem", () => {
  it("decrypts phone and email when first read, once each, and never if they are not read", () => {
    const { cipher, decrypted } = countingCipher();
    const member = fromMemberItem(stored, cipher);
    expect(member.name).toBe("Li");
    expect(member.tags).toEqual([]);
    expect(Object.keys(member)).not.toContain("pk");
    expect(decrypted).toEqual([]);
    expect(member.phone).toBe("+8613800138000");
    expect(member.phone).toBe("+8613800138000");
    expect(decrypted).toEqual(["phone"]);
    // Spread and JSON read plaintext (the email decrypted now, once).
    expect({ ...member }.email).toBe("li@example.com");
    expect(JSON.parse(JSON.stringify(member))).toMatchObject({ phone: "+8613800138000", email: "li@example.com" });
    expect(decrypted).toEqual(["phone", "email"]);
  });

  it("takes an assignment before the first read without decrypting, and leaves plaintext legacy values alone", () => {
    const { cipher, decrypted } = countingCipher();
    const member = fromMemberItem({ ...stored, email: "legacy@example.com" }, cipher);
    member.phone = "+8613900139000";
    expect(member.phone).toBe("+8613900139000");
    expect(member.email).toBe("legacy@example.com");
    expect(decrypted).toEqual([]);
  });
});
