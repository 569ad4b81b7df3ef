// Admin GraphQL: the member's loyalty values as app-owned customer metafields (API 2026-10).
// `$app:loyalty` is the app's reserved namespace: only Regulars writes it; the definitions make it
// readable by the storefront (Liquid: `customer.metafields["$app:loyalty"].points`), by Flow and
// by email tools, and visible but not editable in the Shopify admin.
import { graphqlOnce, type AdminGraphql, type ThrottleStatus } from "./graphql-budget.server";

export const LOYALTY_NAMESPACE = "$app:loyalty";
/** metafieldsSet takes at most 25 metafields per call; a member is two (points, tier). */
export const METAFIELDS_PER_CALL = 25;
export const MEMBERS_PER_CALL = Math.floor(METAFIELDS_PER_CALL / 2);
/** What one metafieldsSet of a full batch costs (mutation base cost, for the throttle wait). */
export const METAFIELDS_SET_COST = 10;

export const LOYALTY_DEFINITIONS = [
  { key: "points", type: "number_integer", name: "Loyalty points", description: "The member's points balance in Regulars" },
  { key: "tier", type: "single_line_text_field", name: "Loyalty tier", description: "The member's VIP tier in Regulars" },
] as const;

export type MemberValues = { customerShopifyId: string; points: number; tier: string | null };
export type UserError = { field?: string[] | null; message: string; code?: string | null; elementIndex?: number | null };

/** Shopify refused a definition (for a reason other than "already there") or a deletion. */
export class MetafieldsRefused extends Error {
  name = "MetafieldsRefused";
}

const DEFINITION_CREATE = `#graphql
  mutation RegularsLoyaltyDefinition($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition { id namespace key }
      userErrors { field message code }
    }
  }`;

const METAFIELDS_SET = `#graphql
  mutation RegularsMemberMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key namespace ownerId }
      userErrors { field message code elementIndex }
    }
  }`;

const METAFIELDS_DELETE = `#graphql
  mutation RegularsMemberMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields { key namespace ownerId }
      userErrors { field message }
    }
  }`;

const customerGid = (id: string) => `gid://shopify/Customer/${id}`;

/**
 * Creates the customer metafield definitions Regulars writes; safe to repeat (a definition that
 * exists already is a `TAKEN` userError, which is what we wanted).
 */
export async function ensureLoyaltyDefinitions(admin: AdminGraphql, timeoutMs: number): Promise<void> {
  for (const definition of LOYALTY_DEFINITIONS) {
    const { data } = await graphqlOnce(
      admin,
      DEFINITION_CREATE,
      {
        definition: {
          ...definition,
          namespace: LOYALTY_NAMESPACE,
          ownerType: "CUSTOMER",
          access: { storefront: "PUBLIC_READ" },
        },
      },
      { timeoutMs, cost: 10 },
    );
    const result = data.metafieldDefinitionCreate as { userErrors: UserError[] } | undefined;
    const refusals = (result?.userErrors ?? []).filter((e) => e.code !== "TAKEN");
    if (!result || refusals.length) {
      throw new MetafieldsRefused(
        `Shopify refused the ${definition.key} definition: ${refusals.map((e) => e.message).join("; ") || "no answer"}`,
      );
    }
  }
}

/** The metafieldsSet input for members (pure: the shape lives here). A member without a tier sends only points. */
export function memberMetafields(members: MemberValues[]) {
  const inputs: Array<{ ownerId: string; namespace: string; key: string; type: string; value: string; member: number }> = [];
  members.forEach((m, member) => {
    const ownerId = customerGid(m.customerShopifyId);
    inputs.push({
      ownerId,
      namespace: LOYALTY_NAMESPACE,
      key: "points",
      type: "number_integer",
      value: String(m.points),
      member,
    });
    if (m.tier)
      inputs.push({ ownerId, namespace: LOYALTY_NAMESPACE, key: "tier", type: "single_line_text_field", value: m.tier, member });
  });
  return inputs;
}

export type SetResult = {
  /** Members (by index in the call) Shopify refused, with its reason; the rest were written. */
  refused: Map<number, string>;
  throttle: ThrottleStatus | null;
};

/**
 * Writes the members' points and tier in one metafieldsSet (at most MEMBERS_PER_CALL members).
 * The mutation is atomic: when Shopify refuses any element nothing is written, so the refused
 * members are reported and the others are sent again without them.
 * Throws `ShopifyThrottled` / `ShopifyCallFailed` (app/shopify/graphql-budget.server.ts).
 */
export async function setMemberMetafields(admin: AdminGraphql, members: MemberValues[], timeoutMs: number): Promise<SetResult> {
  if (members.length > MEMBERS_PER_CALL) throw new RangeError(`at most ${MEMBERS_PER_CALL} members per metafieldsSet`);
  const refused = new Map<number, string>();
  let throttle: ThrottleStatus | null = null;
  for (;;) {
    const inputs = memberMetafields(members.filter((_m, i) => !refused.has(i)));
    const kept = members.map((_m, i) => i).filter((i) => !refused.has(i));
    if (inputs.length === 0) return { refused, throttle };
    const answer = await graphqlOnce(
      admin,
      METAFIELDS_SET,
      { metafields: inputs.map(({ member: _member, ...input }) => input) },
      { timeoutMs, cost: METAFIELDS_SET_COST },
    );
    throttle = answer.throttle;
    const userErrors = (answer.data.metafieldsSet as { userErrors?: UserError[] } | undefined)?.userErrors ?? [];
    if (userErrors.length === 0) return { refused, throttle };
    const before = refused.size;
    for (const error of userErrors) {
      const index = error.elementIndex ?? Number((error.field ?? [])[1]);
      const input = Number.isInteger(index) ? inputs[index] : undefined;
      // An error Shopify cannot pin on an element refuses the whole batch.
      const targets = input ? [kept[input.member]] : kept;
      for (const t of targets) refused.set(t, `${error.code ?? "INVALID"}: ${error.message}`);
    }
    if (refused.size === before) return { refused, throttle };
  }
}

/** Removes the tier metafield of members who no longer have a tier. */
export async function deleteMemberTiers(admin: AdminGraphql, customerShopifyIds: string[], timeoutMs: number) {
  if (customerShopifyIds.length === 0) return null;
  const { data, throttle } = await graphqlOnce(
    admin,
    METAFIELDS_DELETE,
    { metafields: customerShopifyIds.map((id) => ({ ownerId: customerGid(id), namespace: LOYALTY_NAMESPACE, key: "tier" })) },
    { timeoutMs, cost: METAFIELDS_SET_COST },
  );
  const userErrors = (data.metafieldsDelete as { userErrors?: UserError[] } | undefined)?.userErrors ?? [];
  if (userErrors.length) throw new MetafieldsRefused(`Shopify refused to delete tiers: ${userErrors[0].message}`);
  return throttle;
}
