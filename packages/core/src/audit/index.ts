import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../db/client.js";
import { assertTenantId, stripKeys } from "../db/keys.js";
import { queryPage } from "../db/query.js";
import type { TransactItem } from "../db/transact.js";
import * as mv from "../member/validate.js";
import { ValidationError } from "../shared/errors.js";
import { newId } from "../shared/ids.js";
import type { Page, PageArgs } from "../shared/page.js";

/**
 * The audit log of sensitive actions: who did what to which record, when. Entries are written
 * in the same transaction as the action where the action is one (erase, consent change), so an
 * action never happens without its entry; append-only (no update or delete path exists).
 * One partition per tenant and month (`T#t#AUDIT#<yyyy-mm>`, sort key `<at>#<id>`), read newest
 * first, month by month.
 */
export const AUDIT_ACTIONS = [
  "MEMBER_ERASED",
  "MEMBERS_MERGED",
  "CONSENT_CHANGED",
  "PARTNER_KEY_CREATED",
  "PARTNER_KEY_REVOKED",
  "PARTNER_STATUS_CHANGED",
  "PERMISSION_DENIED",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  tenantId: string;
  auditId: string;
  action: AuditAction;
  /** The principal (staff subject or partner key). */
  actor: string;
  /** What it was done to: `member:<id>`, `partner:<id>`, `key:<id>`, `field:Query.x`. */
  target: string;
  /** A few words of context (the consent kind and value, the survivor of a merge); never personal data. */
  detail?: string;
  at: string;
}

const t = (tenantId: string) => `T#${assertTenantId(tenantId)}`;
const month = (iso: string) => iso.slice(0, 7);
const partition = (tenantId: string, yyyyMm: string) => `${t(tenantId)}#AUDIT#${yyyyMm}`;

export function newAuditEntry(tenantId: string, e: { action: AuditAction; actor: string; target: string; detail?: string }, at = new Date().toISOString()): AuditEntry {
  return { tenantId, auditId: newId("aud"), ...e, at };
}

const itemOf = (e: AuditEntry) => ({ pk: partition(e.tenantId, month(e.at)), sk: `${e.at}#${e.auditId}`, ...e });

/** The entry as an item of the action's own transaction. */
export function auditPut(e: AuditEntry): TransactItem {
  return { Put: { TableName: tableName(), Item: itemOf(e) } };
}

/** Writes an entry on its own (actions that are not one transaction). */
export async function recordAudit(e: AuditEntry): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: tableName(), Item: itemOf(e) }));
}

/** A month's entries, newest first (`month` = `YYYY-MM`, default this month), optionally of one action. */
export async function listAudit(tenantId: string, filter: { month?: string | null; action?: string | null }, args: PageArgs): Promise<Page<AuditEntry>> {
  const m = filter.month ?? month(new Date().toISOString());
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(m)) throw new ValidationError("month must be YYYY-MM", "month");
  const action = filter.action ? mv.oneOf(AUDIT_ACTIONS, filter.action, "action") : undefined;
  const page = await queryPage<Record<string, unknown>>(tenantId, `audit:${m}`, { pk: partition(tenantId, m) }, args);
  const items: AuditEntry[] = [];
  const cursors: string[] = [];
  page.items.forEach((item, i) => {
    const e = stripKeys(item) as unknown as AuditEntry;
    if (!action || e.action === action) {
      items.push(e);
      cursors.push(page.cursors[i]!);
    }
  });
  if (cursors.length > 0 && page.endCursor) cursors[cursors.length - 1] = page.endCursor;
  return { ...page, items, cursors };
}
