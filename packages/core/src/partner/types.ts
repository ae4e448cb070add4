/** A partner brand in co-marketing (异业联盟): another brand running joint campaigns with ours. */
export interface Partner {
  tenantId: string;
  partnerId: string;
  name: string;
  /** Who to talk to at the partner (not a member: the partner's own staff). */
  contactEmail?: string;
  status: "ACTIVE" | "SUSPENDED";
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

/** A partner's API key as stored: only a hash of its secret. */
export interface PartnerApiKey {
  tenantId: string;
  keyId: string;
  partnerId: string;
  /** SHA-256 of the secret part, base64url. */
  secretHash: string;
  /** The key's first characters, to tell keys apart in a list. */
  hint: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  revokedBy?: string;
  lastUsedAt?: string;
}

/** Smallest group a partner may see a count of; smaller counts are suppressed. */
export const DEFAULT_MIN_GROUP_SIZE = 10;
