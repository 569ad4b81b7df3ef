// Shopify's OAuth token endpoint, `POST https://{shop}/admin/oauth/access_token`, as documented for
// expiring offline access tokens, answered in-process for the emulator and the tests:
// - `grant_type=refresh_token` with the current `refresh_token`: a new access token (expires_in
//   3600 s) and a new refresh token (refresh_token_expires_in 90 days); the refresh token used is
//   spent, the access token it replaced stops working.
// - token exchange of an App Bridge session token (`subject_token_type = …:id_token`), as the
//   embedded admin does on install: an offline token, expiring (with a refresh token) when
//   `expiring = 1` is asked for. The session token's signature is the library's to check.
// - token exchange (`urn:ietf:params:oauth:grant-type:token-exchange`) of a non-expiring offline
//   token (`subject_token_type = urn:shopify:params:oauth:token-type:offline-access-token`,
//   `expiring = 1`): the same pair; the old token stops working.
// Anything else is a 400 `invalid_request` / `invalid_grant`, as Shopify answers. Tokens it has
// revoked or that expired get 401 from the Admin API (`isUsable`); tokens it never issued (sessions
// stored before the emulator ran, as in most tests) are taken as valid.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type * as Msw from "msw";

const ACCESS_SECONDS = 3600;
const REFRESH_SECONDS = 90 * 86_400;
const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const SCOPE =
  "read_orders,read_all_orders,read_customers,write_customers,write_discounts,write_app_proxy,read_themes,write_store_credit_account_transactions,read_store_credit_accounts";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

type Tokens = {
  /** access token → when it stops working (ms), or 0 once revoked */
  access: Record<string, number>;
  /** refresh token → shop, while unspent */
  refresh: Record<string, string>;
  issued: number;
};

/** The emulator's token book, in `<dir>/oauth.json` when a directory is given (shared by processes). */
export function tokenBook(dir: string | null | undefined) {
  let memory: Tokens = { access: {}, refresh: {}, issued: 0 };
  const file = dir ? path.join(dir, "oauth.json") : null;
  const read = (): Tokens => {
    if (!file) return memory;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Tokens;
    } catch {
      return { access: {}, refresh: {}, issued: 0 };
    }
  };
  const write = (tokens: Tokens) => {
    if (!file) memory = tokens;
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(tokens));
    }
  };
  return {
    read,
    write,
    /** False for a token this emulator revoked or let expire; true otherwise. */
    isUsable(token: string, now = Date.now()): boolean {
      const until = read().access[token];
      return until === undefined || until > now;
    },
    /** Every grant so far, oldest first (`<dir>/oauth.jsonl`; in memory without a directory). */
    grants(): { grant: string; shop: string }[] {
      if (!file) return grantsInMemory;
      try {
        return readFileSync(path.join(dir!, "oauth.jsonl"), "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    logGrant(entry: { grant: string; shop: string }) {
      if (!file) grantsInMemory.push(entry);
      else appendFileSync(path.join(dir!, "oauth.jsonl"), `${JSON.stringify(entry)}\n`);
    },
  };
}
const grantsInMemory: { grant: string; shop: string }[] = [];

export type TokenBook = ReturnType<typeof tokenBook>;

async function formOrJson(request: Request): Promise<Record<string, string>> {
  const text = await request.text();
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    return JSON.parse(text) as Record<string, string>;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function oauthHandlers(msw: typeof Msw, book: TokenBook, credentials: { apiKey: string; apiSecret: string }) {
  const { http, HttpResponse } = msw;
  const refuse = (error: string, description: string) =>
    HttpResponse.json({ error, error_description: description }, { status: 400 });

  return [
    http.post("https://:shop/admin/oauth/access_token", async ({ request, params }) => {
      const shop = String(params.shop);
      const body = await formOrJson(request);
      if (body.client_id !== credentials.apiKey || body.client_secret !== credentials.apiSecret) {
        return refuse("invalid_client", "Client credentials are invalid");
      }
      const tokens = book.read();
      const now = Date.now();
      let grant: string;
      if (body.grant_type === "refresh_token") {
        if (tokens.refresh[body.refresh_token] !== shop)
          return refuse("invalid_grant", "The refresh token is invalid, expired or already used");
        delete tokens.refresh[body.refresh_token];
        grant = "refresh_token";
      } else if (body.grant_type === TOKEN_EXCHANGE && body.subject_token_type === ID_TOKEN_TYPE) {
        if (!body.subject_token) return refuse("invalid_request", "a subject_token is required");
        grant = body.expiring === "1" ? "install_expiring" : "install_non_expiring";
      } else if (body.grant_type === TOKEN_EXCHANGE && body.subject_token_type === OFFLINE_TOKEN_TYPE) {
        if (body.expiring !== "1" || !body.subject_token)
          return refuse("invalid_request", "expiring=1 and a subject_token are required");
        tokens.access[body.subject_token] = 0; // the non-expiring token stops working
        grant = "migrate_offline_token";
      } else {
        return refuse("unsupported_grant_type", `grant_type ${body.grant_type} is not supported here`);
      }
      // A refresh or a conversion replaces the shop's current token, which stops working. (An
      // install's exchange does not: the admin's parallel page loads may each exchange.)
      if (grant === "refresh_token" || grant === "migrate_offline_token") {
        for (const [token, until] of Object.entries(tokens.access)) {
          if (until > now && token.startsWith(`shpat_emulated_${shop}_`)) tokens.access[token] = 0;
        }
      }
      tokens.issued += 1;
      const accessToken = `shpat_emulated_${shop}_${tokens.issued}`;
      const refreshToken = `shprt_emulated_${shop}_${tokens.issued}`;
      tokens.access[accessToken] = now + ACCESS_SECONDS * 1000;
      tokens.refresh[refreshToken] = shop;
      book.write(tokens);
      book.logGrant({ grant, shop });
      if (grant === "install_non_expiring") {
        tokens.access[accessToken] = Number.MAX_SAFE_INTEGER;
        delete tokens.refresh[refreshToken];
        book.write(tokens);
        return HttpResponse.json({ access_token: accessToken, scope: SCOPE });
      }
      return HttpResponse.json({
        access_token: accessToken,
        expires_in: ACCESS_SECONDS,
        refresh_token: refreshToken,
        refresh_token_expires_in: REFRESH_SECONDS,
        scope: SCOPE,
      });
    }),
  ];
}
