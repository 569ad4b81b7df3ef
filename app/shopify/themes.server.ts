// Admin GraphQL: is the app's embed block turned on in the live theme? (needs `read_themes`)
//
// Shopify has no field that says so. The theme editor stores the app embeds a merchant turned on
// in the main theme's `config/settings_data.json`, under `current.blocks`: one entry per embed,
// `{ "type": "shopify://apps/<app-handle>/blocks/<block-handle>/<extension-uid>", "disabled": false }`.
// Turning it off in the editor keeps the entry with `"disabled": true`; an embed never turned on has
// no entry. The file may start with Shopify's "auto-generated" block comment, and `current` may
// name a preset (older themes) instead of holding the settings.
import { z } from "zod";

export const SETTINGS_DATA = "config/settings_data.json";

/** The admin client as this module calls it (the library's `admin`, or `unauthenticated.admin(shop).admin`). */
export type ThemesAdmin = {
  graphql: (query: string, options?: { variables?: Record<string, unknown>; signal?: AbortSignal }) => Promise<Response>;
};

const MAIN_THEME_SETTINGS = `#graphql
  query RegularsMainThemeSettings($filenames: [String!]) {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        name
        files(filenames: $filenames, first: 1) {
          nodes {
            filename
            body {
              ... on OnlineStoreThemeFileBodyText { content }
              ... on OnlineStoreThemeFileBodyBase64 { contentBase64 }
              ... on OnlineStoreThemeFileBodyUrl { url }
            }
          }
        }
      }
    }
  }`;

const themesResponse = z.object({
  data: z.object({
    themes: z.object({
      nodes: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          files: z
            .object({
              nodes: z.array(
                z.object({
                  filename: z.string(),
                  body: z.object({
                    content: z.string().optional(),
                    contentBase64: z.string().optional(),
                    url: z.string().optional(),
                  }),
                }),
              ),
            })
            .nullable(),
        }),
      ),
    }),
  }),
});

export type MainThemeSettings = { themeId: string; themeName: string; settingsData: string | null } | null;

/** The live theme and the text of its settings_data.json; null when the shop has no main theme. */
export async function fetchMainThemeSettings(admin: ThemesAdmin, signal?: AbortSignal): Promise<MainThemeSettings> {
  const response = await admin.graphql(MAIN_THEME_SETTINGS, { variables: { filenames: [SETTINGS_DATA] }, signal });
  const body: unknown = await response.json();
  const parsed = themesResponse.safeParse(body);
  if (!parsed.success) throw new Error(`unexpected themes response: ${JSON.stringify(body).slice(0, 300)}`);
  const theme = parsed.data.data.themes.nodes[0];
  if (!theme) return null;
  const file = theme.files?.nodes.find((f) => f.filename === SETTINGS_DATA);
  let settingsData: string | null = null;
  if (file?.body.content !== undefined) settingsData = file.body.content;
  else if (file?.body.contentBase64 !== undefined) settingsData = Buffer.from(file.body.contentBase64, "base64").toString("utf8");
  else if (file?.body.url) settingsData = await (await fetch(file.body.url, { signal })).text();
  return { themeId: theme.id, themeName: theme.name, settingsData };
}

export type EmbedState = "on" | "off" | "absent";

/** What settings_data.json says of the app embed `blockHandle` (the file name of the extension's `blocks/<handle>.liquid`). */
export function embedState(settingsData: string | null, blockHandle: string): EmbedState {
  if (!settingsData) return "absent";
  let data: unknown;
  try {
    data = JSON.parse(settingsData.replace(/^\uFEFF?\s*\/\*[\s\S]*?\*\//, ""));
  } catch {
    return "absent";
  }
  const root = (data ?? {}) as { current?: unknown; presets?: Record<string, unknown> };
  const current = typeof root.current === "string" ? root.presets?.[root.current] : root.current;
  const blocks = (current as { blocks?: unknown } | undefined)?.blocks;
  if (!blocks || typeof blocks !== "object") return "absent";
  const ours = new RegExp(`^shopify://apps/[^/]+/blocks/${blockHandle.replace(/[^\w-]/g, "")}/[^/]+$`);
  let found: EmbedState = "absent";
  for (const block of Object.values(blocks as Record<string, unknown>)) {
    const b = block as { type?: unknown; disabled?: unknown } | null;
    if (!b || typeof b.type !== "string" || !ours.test(b.type)) continue;
    if (b.disabled !== true) return "on";
    found = "off";
  }
  return found;
}

/**
 * The theme editor opened on the app embeds with ours switched on, ready for the merchant to save:
 * Shopify's deep link, `activateAppId=<api key>/<block handle>` (a literal slash).
 */
export function activateEmbedUrl(shop: string, apiKey: string, blockHandle: string): string {
  return `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${encodeURIComponent(blockHandle)}`;
}
