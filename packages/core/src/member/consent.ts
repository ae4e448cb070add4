import { auditPut, newAuditEntry } from "../audit/index.js";
import { tableName } from "../db/client.js";
import { newId } from "../shared/ids.js";
import { cleanText } from "../shared/text.js";
import { consentItem } from "./child-items.js";
import { changeMember } from "./mutate.js";
import type { ConsentChange, ConsentKind, Member } from "./types.js";
import { CONSENT_KINDS } from "./types.js";
import * as v from "./validate.js";

const FIELD: Record<ConsentKind, "marketingConsent" | "partnerSharingConsent"> = {
  MARKETING: "marketingConsent",
  PARTNER_SHARING: "partnerSharingConsent",
};

/**
 * Grants or withdraws a consent. Every call is recorded in the history (who, when, from
 * where), even when the flag does not change, because a repeated opt-out is evidence too.
 */
export async function setConsent(
  tenantId: string,
  memberId: string,
  input: { kind: string; granted: boolean; source: string },
  by: { actor: string },
): Promise<Member> {
  const kind = v.oneOf(CONSENT_KINDS, input.kind, "kind");
  const source = cleanText(input.source, "source", 40) ?? "UNKNOWN";
  return changeMember(tenantId, memberId, (member) => {
    const now = new Date().toISOString();
    const change: ConsentChange = { memberId, changeId: newId("c"), kind, granted: input.granted, source, actor: by.actor, changedAt: now };
    return {
      member: { set: { [FIELD[kind]]: input.granted } },
      items: [
        { Put: { TableName: tableName(), Item: consentItem(tenantId, change) } },
        auditPut(newAuditEntry(tenantId, { action: "CONSENT_CHANGED", actor: by.actor, target: `member:${memberId}`, detail: `${kind} ${input.granted ? "granted" : "withdrawn"} (${source})` }, now)),
      ],
      result: { ...member, [FIELD[kind]]: input.granted, version: member.version + 1, updatedAt: now },
    };
  });
}
