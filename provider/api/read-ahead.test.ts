import { describe, expect, it } from "vitest";
import {
  mayFetchPage,
  newListing,
  pageAsked,
  pageFailed,
  pageLanded,
  pageLimit,
  type TenantListing,
  waitsForPage,
} from "./read-ahead";

const listing = (over: Partial<TenantListing>): TenantListing => ({ ...newListing(), ...over });

describe("mayFetchPage: a page only when reads of the tenant pay for it", () => {
  it.each([
    { why: "first read of a tenant", t: { misses: 1 }, page: false },
    { why: "second miss: the first page", t: { misses: 2 }, page: true },
    { why: "a page in flight: one at a time", t: { misses: 5, loading: true }, page: false },
    { why: "the last page came", t: { misses: 9, pages: 1, hits: 9, more: false }, page: false },
    { why: "pages answered nothing", t: { misses: 9, pages: 1, hits: 0 }, page: false },
    { why: "a hit pays for a second page", t: { misses: 3, pages: 1, hits: 1 }, page: true },
    { why: "but not without another miss", t: { misses: 2, pages: 1, hits: 50 }, page: false },
    {
      why: "pages < misses - 1 and pages <= hits",
      t: { misses: 6, pages: 4, hits: 4 },
      page: true,
    },
    { why: "pages = hits + 1", t: { misses: 9, pages: 5, hits: 4 }, page: false },
  ])("$why: $page", ({ t, page }) => {
    expect(mayFetchPage(listing(t))).toBe(page);
  });
});

describe("waitsForPage: only for a first page already on its way", () => {
  it.each([
    { why: "no page in flight", t: {}, asked: false, wait: false },
    { why: "a page in flight, size unknown", t: { loading: true }, asked: false, wait: true },
    { why: "the read asked for it", t: { loading: true }, asked: true, wait: false },
    {
      why: "tenant larger than a page",
      t: { loading: true, large: true },
      asked: false,
      wait: false,
    },
  ])("$why: $wait", ({ t, asked, wait }) => {
    expect(waitsForPage(listing(t), asked)).toBe(wait);
  });
});

describe("page bookkeeping", () => {
  it("the first page is a probe of 100 users; later ones are the platform's default", () => {
    const first = listing({ misses: 2 });
    expect(pageLimit(first)).toBe(100);
    expect(pageLimit(pageLanded(pageAsked(first), "c1"))).toBeUndefined();
  });

  it("a page asked counts, and is in flight until it lands", () => {
    const asked = pageAsked(listing({ misses: 2 }));
    expect(asked).toMatchObject({ pages: 1, loading: true });
    expect(pageLanded(asked, "next")).toMatchObject({
      loading: false,
      cursor: "next",
      more: true,
      large: true,
    });
    expect(pageLanded(asked, undefined)).toMatchObject({
      loading: false,
      more: false,
      large: false,
    });
  });

  it("a tenant once known large stays large; a failure ends its listing", () => {
    const large = pageLanded(pageAsked(listing({ misses: 2 })), "c1");
    expect(pageLanded(pageAsked(large), undefined)).toMatchObject({ large: true, more: false });
    expect(pageFailed(pageAsked(listing({ misses: 2 })))).toMatchObject({
      loading: false,
      more: false,
    });
  });
});
