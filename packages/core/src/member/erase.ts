import { tableName } from "../db/client.js";
import { keys } from "../db/keys.js";
import type { TransactItem } from "../db/transact.js";
import { eraseAuthorContent } from "../content/erase.js";
import { ValidationError } from "../shared/errors.js";
import { auditPut, newAuditEntry } from "../audit/index.js";
import { cleanText } from "../shared/text.js";
import { piiReader } from "../pii/cipher.js";
import { memberKeyOf } from "./child-items.js";
import { listIdentities, listTagRecords } from "./children.js";
import { changeMember } from "./mutate.js";
import { getMember } from "./read.js";
import type { Member } from "./types.js";

const PERSONAL_FIELDS = ["name", "phone", "email", "birthday", "city", "customerNo"] as const;

/**
 * Erases a member on request (PIPL/GDPR): profile fields, unique keys, channel identities and
 * tags go, in one transaction. Orders, events and the points ledger stay under the member's
 * random id, which no longer links to a person, so revenue, cohorts and CLV stay right.
 * Consent history stays too: it holds no personal data and proves what the member agreed to.
 * The member's own posts (UGC) are emptied and archived first, so a rerun after a crash
 * finishes both.
 */
export async function eraseMember(tenantId: string, memberId: string, by: { actor: string; reason?: string }): Promise<Member> {
  const [identities, tags] = await Promise.all([listIdentities(tenantId, memberId), listTagRecords(tenantId, memberId, true)]);
  if (identities.length + tags.length > 89) throw new ValidationError("this member has too many identities and tags to erase at once", "memberId");
  if ((await getMember(tenantId, memberId, true)).status === "ACTIVE") await eraseAuthorContent(tenantId, memberId);
  const cipher = await piiReader(tenantId);
  return changeMember(tenantId, memberId, (member) => {
    const table = tableName();
    const now = new Date().toISOString();
    const items: TransactItem[] = [
      ...identities.map((i) => ({ Delete: { TableName: table, Key: keys.identity(tenantId, i.channel, i.externalId) } })),
      ...tags.map((t) => ({ Delete: { TableName: table, Key: keys.memberTag(tenantId, memberId, t.tag) } })),
    ];
    items.push(auditPut(newAuditEntry(tenantId, { action: "MEMBER_ERASED", actor: by.actor, target: `member:${memberId}`, detail: cleanText(by.reason, "reason", 200) })));
    if (member.phone) items.push({ Delete: { TableName: table, Key: memberKeyOf(cipher, "PHONE", member.phone) } });
    if (member.customerNo) items.push({ Delete: { TableName: table, Key: memberKeyOf(cipher, "CUSTOMER_NO", member.customerNo) } });
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
