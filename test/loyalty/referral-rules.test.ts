// Referral rules as tables (app/loyalty/referrals.ts): the verdict on a referral order, when a
// refund or cancellation takes the rewards back, and how codes and contact points are read.
import { describe, expect, it } from "vitest";
import { DEFAULT_PROGRAM, type Program } from "../../app/loyalty/program";
import {
  candidateCodes,
  CODE_ALPHABET,
  fingerprints,
  judgeReferral,
  monthOf,
  newCode,
  normaliseCode,
  reversal,
  sharedContact,
  windowEnd,
  type ReferralFacts,
} from "../../app/loyalty/referrals";
import { orderSchema } from "../../app/webhooks/payloads";

const PROGRAM: Program = {
  ...DEFAULT_PROGRAM,
  referralBonusEnabled: true,
  referralBonusPoints: 200,
  referralWelcomePoints: 100,
  referralMonthlyCap: 3,
};
const CLEAN: ReferralFacts = {
  sameCustomer: false,
  sharedContact: null,
  refereeOrderedBefore: false,
  loop: false,
  rewardedThisMonth: 0,
};

describe("the verdict on a referral order", () => {
  it("blocks with the first reason that applies, and otherwise pays both sides what the settings say", () => {
    const table: [Partial<ReferralFacts>, string][] = [
      [{}, "rewarded 200/100"],
      [{ rewardedThisMonth: 2 }, "rewarded 200/100"],
      [{ rewardedThisMonth: 3 }, "monthly_cap"],
      [{ loop: true }, "loop"],
      [{ refereeOrderedBefore: true }, "referee_already_ordered"],
      [{ sharedContact: "email" }, "self_referral:email"],
      [{ sharedContact: "phone" }, "self_referral:phone"],
      [{ sharedContact: "address" }, "self_referral:address"],
      [{ sameCustomer: true }, "self_referral:customer"],
      // Several at once: self-referral first, then an existing customer, a loop, the cap.
      [{ sameCustomer: true, refereeOrderedBefore: true, rewardedThisMonth: 9 }, "self_referral:customer"],
      [{ sharedContact: "phone", loop: true }, "self_referral:phone"],
      [{ refereeOrderedBefore: true, loop: true, rewardedThisMonth: 9 }, "referee_already_ordered"],
      [{ loop: true, rewardedThisMonth: 9 }, "loop"],
    ];
    const verdicts = table.map(([facts]) => {
      const v = judgeReferral({ ...CLEAN, ...facts }, PROGRAM);
      return v.status === "rewarded" ? `rewarded ${v.advocatePoints}/${v.refereePoints}` : v.reason;
    });
    expect(verdicts).toEqual(table.map(([, expected]) => expected));
    expect(judgeReferral(CLEAN, { ...PROGRAM, referralWelcomePoints: 0 })).toEqual({
      status: "rewarded",
      advocatePoints: 200,
      refereePoints: 0,
    });
  });
});

describe("taking the rewards back", () => {
  const placed = new Date("2026-11-01T10:00:00Z");
  const ends = windowEnd(placed, 30); // 2026-12-01T10:00Z
  const at = (iso: string) => new Date(iso);
  const order = { cancelledAt: null, subtotalCents: 5000 };
  it("happens for a cancellation or a full refund before the window ends, not for a partial refund or after it", () => {
    expect(ends.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    const table: [string, ReturnType<typeof reversal>][] = [
      ["cancelled in the window", reversal(ends, { ...order, cancelledAt: at("2026-11-20T00:00:00Z") }, [])],
      ["cancelled after it", reversal(ends, { ...order, cancelledAt: at("2026-12-01T10:00:00Z") }, [])],
      ["refunded in full in one go", reversal(ends, order, [{ subtotalCents: 5000, createdAt: at("2026-11-03T00:00:00Z") }])],
      ["refunded in part", reversal(ends, order, [{ subtotalCents: 4999, createdAt: at("2026-11-03T00:00:00Z") }])],
      [
        "completed by a refund in the window",
        reversal(ends, order, [
          { subtotalCents: 3000, createdAt: at("2026-11-03T00:00:00Z") },
          { subtotalCents: 2000, createdAt: at("2026-11-30T00:00:00Z") },
        ]),
      ],
      [
        "completed by a refund after it",
        reversal(ends, order, [
          { subtotalCents: 2000, createdAt: at("2026-12-05T00:00:00Z") },
          { subtotalCents: 3000, createdAt: at("2026-11-03T00:00:00Z") },
        ]),
      ],
      ["a window of 0 days", reversal(windowEnd(placed, 0), { ...order, cancelledAt: at("2026-11-01T10:00:01Z") }, [])],
      ["not rewarded (no window)", reversal(null, { ...order, cancelledAt: at("2026-11-02T00:00:00Z") }, [])],
    ];
    expect(Object.fromEntries(table)).toEqual({
      "cancelled in the window": "cancelled_in_window",
      "cancelled after it": null,
      "refunded in full in one go": "refunded_in_window",
      "refunded in part": null,
      "completed by a refund in the window": "refunded_in_window",
      "completed by a refund after it": null,
      "a window of 0 days": null,
      "not rewarded (no window)": null,
    });
  });

  it("counts the cap by calendar month (UTC) of the order", () => {
    expect(monthOf(new Date("2026-12-31T23:59:59Z"))).toEqual({
      from: new Date("2026-12-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z"),
    });
  });
});

describe("codes", () => {
  it("are 7 characters nobody misreads, and read back however they were typed", () => {
    const codes = Array.from({ length: 200 }, newCode);
    for (const code of codes) expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{7}$`));
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(new Set(codes).size).toBe(200);
    expect(normaliseCode(" abc-d23 4")).toBe("ABCD234"); // spaces and dashes are dropped
    expect(normaliseCode("abc-d23")).toBeNull(); // 6 characters
    expect(normaliseCode("abcd2345")).toBeNull(); // 8 characters
    expect(normaliseCode("abcd234")).toBe("ABCD234");
    expect(normaliseCode("AB-CD-234")).toBe("ABCD234");
    expect(normaliseCode("ABCD10O")).toBeNull(); // 1, 0 and O are never in a code
    expect(normaliseCode("")).toBeNull();
  });

  it("come from the cart attribute first, then from discount codes (the welcome code)", () => {
    const signals = { code: "xyz-2345", emails: [], phones: [], shippingAddress: null };
    expect(candidateCodes(signals, ["SUMMER10", "abcd234", "XYZ2345"])).toEqual(["XYZ2345", "ABCD234"]);
    expect(candidateCodes(undefined, ["SUMMER10"])).toEqual([]);
    expect(candidateCodes({ ...signals, code: "not a code" }, [])).toEqual([]);
  });
});

describe("contact points", () => {
  const prints = (emails: string[], phones: string[], address: string | null) =>
    fingerprints({ emails, phones, shippingAddress: address });
  it("match the same person however they typed it, and are kept only as hashes", () => {
    const advocate = prints(["Ada.Advocate@Example.com"], ["+1 (555) 010-0000"], "1 Elm Street||12345|US");
    expect(advocate).toHaveLength(3);
    for (const p of advocate) expect(p).toMatch(/^(email|phone|address):[0-9a-f]{64}$/);
    expect(sharedContact(advocate, prints(["ada.advocate+promo@example.COM "], [], null))).toBe("email");
    expect(sharedContact(advocate, prints(["someone@example.com"], ["555.010.0000"], null))).toBe("phone");
    expect(sharedContact(advocate, prints(["someone@example.com"], [], "1, elm street.||12345|us"))).toBe("address");
    expect(sharedContact(advocate, prints(["someone@example.com"], ["555 010 0001"], "1 Elm Street||99999|US"))).toBeNull();
    // email wins when several match
    expect(sharedContact(advocate, prints(["ada.advocate@example.com"], ["5550100000"], null))).toBe("email");
    // too little to be an identity: no fingerprint at all
    expect(prints(["not-an-email"], ["12"], "||")).toEqual([]);
  });
});

describe("what an orders/paid payload gives the referral rules", () => {
  const base = {
    id: 1001,
    subtotal_price: "50.00",
    total_price: "55.00",
    currency: "USD",
    created_at: "2026-11-01T10:00:00Z",
    customer: { id: 7, email: "Sam@Example.com", phone: "+1 555 0100 000" },
  };
  it("reads the cart attribute and the contact points, and ignores what it cannot read instead of refusing the order", () => {
    const order = orderSchema.parse({
      ...base,
      email: "sam@example.com",
      contact_email: "sam@example.com",
      phone: null,
      note_attributes: [
        { name: "gift_note", value: "For you" },
        { name: "regulars_referral", value: " abcd234 " },
      ],
      shipping_address: { address1: "1 Elm Street", address2: null, zip: "12345", country_code: "US", phone: "555-0100" },
    });
    expect(order.referral).toEqual({
      code: "abcd234",
      emails: ["sam@example.com", "sam@example.com", "Sam@Example.com"],
      phones: ["+1 555 0100 000", "555-0100"],
      shippingAddress: "1 Elm Street||12345|US",
    });
    const odd = orderSchema.parse({
      ...base,
      customer: { ...base.customer, phone: "9".repeat(500) },
      note_attributes: "not a list",
      shipping_address: { address1: 42 },
      email: { not: "an email" },
    });
    expect(odd.subtotalCents).toBe(5000); // the order itself still counts
    expect(odd.referral).toEqual({ code: null, emails: ["Sam@Example.com"], phones: [], shippingAddress: null });
  });
});
