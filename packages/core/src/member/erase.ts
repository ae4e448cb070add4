import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import type { TransactItem } from "../db/transact.js";
import { buildUpdate } from "../db/update.js";
import { eraseAuthorContent } from "../content/erase.js";
import { ConflictError, ValidationError } from "../shared/errors.js";
import { auditPut, newAuditEntry } from "../audit/index.js";
import { cleanText } from "../shared/text.js";
import { piiWriter } from "../pii/cipher.js";
import { memberKeyOf } from "./child-items.js";
import { listIdentities, listTagRecords } from "./children.js";
import { eraseDerivedCopies, type ErasedCopies } from "./erase-copies.js";
import { changeMember } from "./mutate.js";
import { getMember, getMembers } from "./read.js";
import type { Member } from "./types.js";

const PERSONAL_FIELDS = ["name", "phone", "email", "birthday", "city", "customerNo"] as const;

/** Duplicates merged into one member whose profile an erasure also clears (bounded by the transaction). */
const MAX_MERGED_DUPLICATES = 20;

/**
 * Erases a member on request (PIPL/GDPR): profile fields, unique keys, channel identities and
 * tags go, in one transaction, together with the profile fields and keys still held by the
 * duplicates merged into the member (`mergedFrom`). Orders, events and the points ledger stay
 * under the member's random id, which no longer links to a person, so revenue, cohorts and CLV
 * stay right. Consent history stays too: it holds no personal data and proves what the member
 * agreed to. The member's own posts (UGC) are emptied and archived first; every derived copy
 * (segment memberships, outbox touches, reach markers, funnel items, coupons, invite codes,
 * referral record, CLV top lists) is removed or anonymised after (`eraseDerivedCopies`).
 * Erasing an erased member again finishes whatever a crash left, so the call can be retried.
 */
export async function eraseMember(tenantId: string, memberId: string, by: { actor: string; reason?: string }): Promise<Member> {
  return (await eraseMemberWithCopies(tenantId, memberId, by)).member;
}

export async function eraseMemberWithCopies(tenantId: string, memberId: string, by: { actor: string; reason?: string }): Promise<{ member: Member; copies: ErasedCopies }> {
  const current = await getMember(tenantId, memberId, true);
  if (current.status === "MERGED") throw new ConflictError(`member ${memberId} is merged into ${current.mergedInto}: erase that member`, { memberId, mergedInto: current.mergedInto });
  const member = current.status === "ERASED" ? current : await eraseProfile(tenantId, memberId, by);
  const copies = await eraseDerivedCopies(tenantId, [memberId, ...(member.mergedFrom ?? [])]);
  return { member, copies };
}

async function eraseProfile(tenantId: string, memberId: string, by: { actor: string; reason?: string }): Promise<Member> {
  const [identities, tags] = await Promise.all([listIdentities(tenantId, memberId), listTagRecords(tenantId, memberId, true)]);
  if (identities.length + tags.length > 89 - 3 * MAX_MERGED_DUPLICATES) throw new ValidationError("this member has too many identities and tags to erase at once", "memberId");
  if ((await getMember(tenantId, memberId, true)).status === "ACTIVE") await eraseAuthorContent(tenantId, memberId);
  const cipher = await piiWriter(tenantId); // the index key, for the phone keys
  return changeMember(tenantId, memberId, async (member) => {
    const table = tableName();
    const now = new Date().toISOString();
    const items: TransactItem[] = [
      ...identities.map((i) => ({ Delete: { TableName: table, Key: keys.identity(tenantId, i.channel, i.externalId) } })),
      ...tags.map((t) => ({ Delete: { TableName: table, Key: keys.memberTag(tenantId, memberId, t.tag) } })),
    ];
    items.push(auditPut(newAuditEntry(tenantId, { action: "MEMBER_ERASED", actor: by.actor, target: `member:${memberId}`, detail: cleanText(by.reason, "reason", 200) })));
    const keysOf = (m: Member) => [
      ...(m.phone ? [memberKeyOf(cipher, "PHONE", m.phone)] : []),
      ...(m.customerNo ? [memberKeyOf(cipher, "CUSTOMER_NO", m.customerNo)] : []),
    ];
    for (const key of keysOf(member)) items.push({ Delete: { TableName: table, Key: key } });
    // A merged duplicate keeps its own profile (its phone key may still point at it and resolve here): clear both.
    const duplicates = (await getMembers(tenantId, (member.mergedFrom ?? []).slice(0, MAX_MERGED_DUPLICATES))).filter((d): d is Member => d?.status === "MERGED");
    for (const d of duplicates) {
      for (const key of keysOf(d)) items.push({ Delete: { TableName: table, Key: key } });
      items.push({
        Update: {
          TableName: table,
          Key: keys.member(tenantId, d.memberId),
          ...buildUpdate({
            set: { erasedAt: now, gender: "UNKNOWN" },
            remove: [...PERSONAL_FIELDS],
            condition: "#st = :merged",
            names: { "#st": "status" },
            values: { ":merged": "MERGED" },
          }),
        },
      });
    }
    const erased: Member = { ...member, status: "ERASED", erasedAt: now, gender: "UNKNOWN", tags: [], marketingConsent: false, partnerSharingConsent: false, version: member.version + 1, updatedAt: now };
    for (const f of PERSONAL_FIELDS) delete erased[f];
    return {
      member: {
        set: { status: "ERASED", erasedAt: now, erasedBy: by.actor, gender: "UNKNOWN", tags: [], marketingConsent: false, partnerSharingConsent: false },
        remove: [...PERSONAL_FIELDS],
      },
      items,
      result: erased,
    };
  });
}
