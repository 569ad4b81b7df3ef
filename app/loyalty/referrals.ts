// Referral rules as pure functions (docs/loyalty-rules.md#referrals): what a member's code looks
// like, how a buyer's contact points are compared without being kept, and the verdict on a
// referral order. The database side is referrals.server.ts.
import { createHash, randomInt } from "node:crypto";
import type { Program } from "./program";
import type { ReferralSignals } from "./records";

/** The cart attribute the storefront widget sets from a `?ref=CODE` landing. */
export const REFERRAL_ATTRIBUTE = "regulars_referral";

/** Letters and digits nobody misreads: no 0/O, 1/I/L. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const CODE_LENGTH = 7;

/** A fresh random code (31^7 ≈ 27 billion of them: a collision is retried, not expected). */
export function newCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** A code as typed or carried in a link (`ab-cd 234`), in its stored form; null when it cannot be one. */
export function normaliseCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== CODE_LENGTH) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** The codes an order offers, best first: the cart attribute, then discount codes (a welcome code). */
export function candidateCodes(signals: ReferralSignals | undefined, discountCodes: string[]): string[] {
  const raw = [...(signals?.code ? [signals.code] : []), ...discountCodes];
  return [...new Set(raw.map(normaliseCode).filter((c): c is string => c !== null))];
}

export type ContactKind = "email" | "phone" | "address";

/**
 * Each contact point as `<kind>:<sha-256>` of its normalised form. Normalised so that the same
 * person typing it differently still matches: emails lower-cased without a `+tag`, phones as
 * their last 10 digits, addresses lower-cased with punctuation and spacing dropped.
 */
export function fingerprints(signals: Pick<ReferralSignals, "emails" | "phones" | "shippingAddress">): string[] {
  const out = new Set<string>();
  const add = (kind: ContactKind, value: string | null) => {
    if (value) out.add(`${kind}:${createHash("sha256").update(`${kind}:${value}`).digest("hex")}`);
  };
  for (const email of signals.emails) add("email", normaliseEmail(email));
  for (const phone of signals.phones) add("phone", normalisePhone(phone));
  if (signals.shippingAddress) add("address", normaliseAddress(signals.shippingAddress));
  return [...out];
}

export function normaliseEmail(email: string): string | null {
  const at = email.trim().toLowerCase().lastIndexOf("@");
  if (at <= 0) return null;
  const e = email.trim().toLowerCase();
  return `${e.slice(0, at).replace(/\+.*$/, "")}@${e.slice(at + 1)}`;
}

export function normalisePhone(phone: string): string | null {
  const digits = phone.replace(/\D/g, "");
  return digits.length >= 7 ? digits.slice(-10) : null;
}

export function normaliseAddress(address: string): string | null {
  const a = address.toLowerCase().replace(/[^\p{L}\p{N}|]/gu, "");
  return a.replace(/\|/g, "").length >= 4 ? a : null;
}

/** The contact kind two sets of fingerprints share, if any (email first, then phone, then address). */
export function sharedContact(a: Iterable<string>, b: Iterable<string>): ContactKind | null {
  const mine = new Set(a);
  const shared = [...b].filter((f) => mine.has(f)).map((f) => f.split(":")[0] as ContactKind);
  for (const kind of ["email", "phone", "address"] as const) if (shared.includes(kind)) return kind;
  return null;
}

export type BlockReason =
  | "self_referral:customer"
  | "self_referral:email"
  | "self_referral:phone"
  | "self_referral:address"
  | "referee_already_ordered"
  | "loop"
  | "monthly_cap";
export type ReverseReason = "refunded_in_window" | "cancelled_in_window";

/** What is known about a referral order when it is judged. */
export type ReferralFacts = {
  sameCustomer: boolean;
  sharedContact: ContactKind | null;
  refereeOrderedBefore: boolean;
  /** The advocate was referred, directly or up a chain, by this referee. */
  loop: boolean;
  /** The advocate's referrals already rewarded in the order's calendar month. */
  rewardedThisMonth: number;
};

export type Verdict =
  { status: "rewarded"; advocatePoints: number; refereePoints: number } | { status: "blocked"; reason: BlockReason };

/** The verdict on a referral order; the first reason that applies is the one recorded. */
export function judgeReferral(facts: ReferralFacts, program: Program): Verdict {
  const blocked = (reason: BlockReason): Verdict => ({ status: "blocked", reason });
  if (facts.sameCustomer) return blocked("self_referral:customer");
  if (facts.sharedContact) return blocked(`self_referral:${facts.sharedContact}`);
  if (facts.refereeOrderedBefore) return blocked("referee_already_ordered");
  if (facts.loop) return blocked("loop");
  if (facts.rewardedThisMonth >= program.referralMonthlyCap) return blocked("monthly_cap");
  return { status: "rewarded", advocatePoints: program.referralBonusPoints, refereePoints: program.referralWelcomePoints };
}

/** The first instant of the calendar month (UTC) that `at` falls in, and of the next. */
export function monthOf(at: Date): { from: Date; to: Date } {
  return {
    from: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)),
    to: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)),
  };
}

/** When the return window of an order placed `at` ends, under a window of `days`. */
export const windowEnd = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000);

/**
 * Whether a rewarded referral is undone: its order cancelled, or refunded in full (the refund that
 * completed it), before the window ended. A partial refund leaves the rewards: the order still happened.
 */
export function reversal(
  windowEndsAt: Date | null,
  order: { cancelledAt: Date | null; subtotalCents: number },
  refunds: { subtotalCents: number; createdAt: Date }[],
): ReverseReason | null {
  if (!windowEndsAt) return null;
  if (order.cancelledAt && order.cancelledAt < windowEndsAt) return "cancelled_in_window";
  if (order.subtotalCents <= 0) return null;
  let refunded = 0;
  for (const r of [...refunds].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    refunded += r.subtotalCents;
    if (refunded >= order.subtotalCents) return r.createdAt < windowEndsAt ? "refunded_in_window" : null;
  }
  return null;
}

/** A reason code in the merchant's words (the admin list). */
export function describeReason(reason: string | null): string {
  const words: Record<string, string> = {
    "self_referral:customer": "Self-referral: same customer",
    "self_referral:email": "Self-referral: same email",
    "self_referral:phone": "Self-referral: same phone",
    "self_referral:address": "Self-referral: same shipping address",
    referee_already_ordered: "The friend had ordered before",
    loop: "Loop: the member was referred by this friend",
    monthly_cap: "The member reached this month's referral limit",
    refunded_in_window: "Order refunded within the return window",
    cancelled_in_window: "Order cancelled within the return window",
  };
  return reason ? (words[reason] ?? reason) : "";
}
