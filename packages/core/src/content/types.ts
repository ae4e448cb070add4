/**
 * Content: the items a brand (or a member, as UGC) publishes to its channels, typed by the
 * content pyramid. Design, keys and limits: docs/content.md.
 */
import type { Channel } from "../member/types.js";

export const CONTENT_FORMATS = ["ARTICLE", "IMAGE", "SHORT_VIDEO", "LIVE_STREAM", "POSTER"] as const;
export type ContentFormat = (typeof CONTENT_FORMATS)[number];

/** The content pyramid, from the base (product knowledge) to the top (stories). */
export const PYRAMID_TYPES = ["INFO", "INTERACTIVE", "VALUE", "EMOTIONAL"] as const;
export type PyramidType = (typeof PYRAMID_TYPES)[number];

export const CONTENT_STATUSES = ["DRAFT", "SCHEDULED", "PUBLISHED", "ARCHIVED"] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

/** Brand staff, or a member (user-generated content). */
export const AUTHOR_KINDS = ["BRAND", "MEMBER"] as const;
export type AuthorKind = (typeof AUTHOR_KINDS)[number];

/**
 * The workflow: which status may follow which. Publishing straight from a draft is allowed
 * (publish now); a scheduled item can go back to draft; an archived one can be restored as a
 * draft. A published item is never "unpublished" into a draft: it is archived.
 */
export const TRANSITIONS: Record<ContentStatus, readonly ContentStatus[]> = {
  DRAFT: ["SCHEDULED", "PUBLISHED", "ARCHIVED"],
  SCHEDULED: ["DRAFT", "PUBLISHED", "ARCHIVED"],
  PUBLISHED: ["ARCHIVED"],
  ARCHIVED: ["DRAFT"],
};

/** A content item as stored (key attributes stripped). */
export interface ContentItem {
  tenantId: string;
  contentId: string;
  title: string;
  body?: string;
  mediaUrl?: string;
  format: ContentFormat;
  pyramidType: PyramidType;
  channels: Channel[];
  tags: string[];
  authorKind: AuthorKind;
  /** The member who made it (UGC). */
  authorMemberId?: string;
  /** Display name of a BRAND author (staff name, pen name); members' names come from their profile. */
  authorName?: string;
  /** The member author was erased: the item was archived and emptied. */
  authorErased?: boolean;
  /** Stored status; a SCHEDULED item whose time has come reads as PUBLISHED (`effective`). */
  status: ContentStatus;
  publishAt?: string;
  publishedAt?: string;
  archivedAt?: string;
  /** Segment the item is made for: penetration = audience members reached ÷ its size. */
  audienceSegmentId?: string;
  /** Position in the lists, newest first: publish time once scheduled or published, else creation time. */
  sortAt: string;
  /** Bumped by every write; writes are conditioned on it. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

/** Engagement counters of an item, summed over its counter shards. */
export interface ContentEngagement {
  contentId: string;
  /** Distinct members with any event on the item. */
  reach: number;
  views: number;
  clicks: number;
  shares: number;
  /** MESSAGE_DELIVERED events carrying the item. */
  deliveries: number;
  /** Events other than views and deliveries (clicks, shares, add-to-cart, check-ins, surveys). */
  interactions: number;
  /** Distinct members with at least one interaction. */
  interactingMembers: number;
  /** Orders attributed to the item (recorded with its contentId). */
  conversions: number;
  /** Their amounts, and what was refunded of them, in minor units. */
  revenueMinor: number;
  refundedMinor: number;
  updatedAt?: string;
  /** Audience members reached, as of the audience segment's last refresh (audience.ts). */
  audience?: { segmentId: string; version: number; size: number; reached: number; computedAt: string };
}

export const MAX_CONTENT_TAGS = 8;
/** Channels per item: with tags, bounds an item's list entries so a status change fits one transaction. */
export const MAX_CONTENT_CHANNELS = 6;
export const MAX_TITLE = 200;
export const MAX_BODY = 20_000;
export const MAX_URL = 2_000;
