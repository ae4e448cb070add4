import * as mv from "../member/validate.js";
import type { Channel } from "../member/types.js";
import { ValidationError } from "../shared/errors.js";
import { cleanText } from "../shared/text.js";
import { AUTHOR_KINDS, CONTENT_FORMATS, MAX_BODY, MAX_CONTENT_CHANNELS, MAX_CONTENT_TAGS, MAX_URL, PYRAMID_TYPES, type ContentFormat, type ContentItem, type PyramidType } from "./types.js";

export const format = (value: string, field: string): ContentFormat => mv.oneOf(CONTENT_FORMATS, value, field);
export const pyramidType = (value: string, field: string): PyramidType => mv.oneOf(PYRAMID_TYPES, value, field);
export const authorKind = (value: string, field: string) => mv.oneOf(AUTHOR_KINDS, value, field);

export function channels(values: readonly string[] | null | undefined, field: string): Channel[] {
  const list = [...new Set((values ?? []).map((v) => mv.channel(v, field)))];
  if (list.length > MAX_CONTENT_CHANNELS) throw new ValidationError(`${field}: a content item goes to at most ${MAX_CONTENT_CHANNELS} channels`, field);
  return list;
}

export function tags(values: readonly string[] | null | undefined, field: string): string[] {
  const list = [...new Set((values ?? []).map((v) => {
    try {
      return mv.tag(v);
    } catch {
      throw new ValidationError(`${field}: tags are 1-40 characters without # or control characters`, field);
    }
  }))];
  if (list.length > MAX_CONTENT_TAGS) throw new ValidationError(`${field}: a content item has at most ${MAX_CONTENT_TAGS} tags`, field);
  return list;
}

export function body(value: string | null | undefined, field: string): string | undefined {
  return cleanText(value, field, MAX_BODY);
}

/** Media are linked, not uploaded: an absolute http(s) URL. */
export function mediaUrl(value: string | null | undefined, field: string): string | undefined {
  const text = cleanText(value, field, MAX_URL);
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(`${field} must be an absolute http(s) URL`, field);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ValidationError(`${field} must be an absolute http(s) URL`, field);
  return url.toString();
}

/**
 * What an item needs before it can be scheduled or published (a draft may be incomplete): an
 * article a body or a link, every other format its media.
 */
export function assertPublishable(c: Pick<ContentItem, "format" | "body" | "mediaUrl">): void {
  if (c.format === "ARTICLE" ? !c.body && !c.mediaUrl : !c.mediaUrl) {
    const needs = c.format === "ARTICLE" ? "a body or a mediaUrl" : "a mediaUrl";
    throw new ValidationError(`an ${c.format} needs ${needs} before it can be scheduled or published`, c.format === "ARTICLE" ? "body" : "mediaUrl");
  }
}
