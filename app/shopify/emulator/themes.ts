// The emulated shop's live theme, for the `themes(roles: [MAIN])` query: a main theme whose
// `config/settings_data.json` holds the app embed as the theme editor writes it — turned on, turned
// off (`"disabled": true`), or never added. Which one is read from `<dir>/themes.json` on every
// request (shop → state), so a test or the demo switches it while the server runs, across workers;
// no file or no entry: never added, as in a shop that just installed the app.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type * as Msw from "msw";

export type EmulatedEmbed = "on" | "off" | "absent";

/** How Shopify names the block in settings_data.json: app handle, block handle, extension uid. */
export const EMULATED_EMBED_TYPE = "shopify://apps/regulars/blocks/rewards-embed/0b6f8a52-3c1d-4e7a-9f20-5d4c3b2a1e09";

// Shopify puts this comment at the top of every settings_data.json it writes.
const HEADER = `/*
 * ------------------------------------------------------------
 * IMPORTANT: The contents of this file are auto-generated.
 *
 * This file may be updated by the Shopify admin theme editor
 * or related systems. Please exercise caution as any changes
 * made to this file may be overwritten.
 * ------------------------------------------------------------
 */
`;

function readStates(dir: string | null | undefined): Record<string, EmulatedEmbed> {
  if (!dir) return {};
  try {
    return JSON.parse(readFileSync(path.join(dir, "themes.json"), "utf8")) as Record<string, EmulatedEmbed>;
  } catch {
    return {};
  }
}

/** The settings_data.json of a theme with the embed in `state`. */
export function emulatedSettingsData(state: EmulatedEmbed): string {
  const blocks: Record<string, unknown> = {
    // Another app's embed, on: only ours may count.
    "4815162342": {
      type: "shopify://apps/someone-else/blocks/chat/11111111-2222-3333-4444-555555555555",
      disabled: false,
      settings: {},
    },
  };
  if (state !== "absent") {
    blocks["17394011297265627105"] = {
      type: EMULATED_EMBED_TYPE,
      disabled: state === "off",
      settings: { position: "bottom-right" },
    };
  }
  return `${HEADER}${JSON.stringify({ current: { colors_accent_1: "#121212", blocks }, presets: { Default: {} } }, null, 2)}`;
}

/** The Admin API's answer to the main-theme query (the caller has checked the access token). */
export function answerThemes(msw: typeof Msw, dir: string | null | undefined, shop: string, variables: Record<string, unknown>) {
  const state = readStates(dir)[shop] ?? "absent";
  const wanted = Array.isArray(variables.filenames) ? (variables.filenames as string[]) : [];
  const files = ["config/settings_data.json"]
    .filter((name) => wanted.length === 0 || wanted.includes(name))
    .map((filename) => ({ filename, body: { content: emulatedSettingsData(state) } }));
  return msw.HttpResponse.json({
    data: {
      themes: {
        nodes: [{ id: "gid://shopify/OnlineStoreTheme/140737488355328", name: "Dawn", files: { nodes: files, userErrors: [] } }],
      },
    },
    extensions: { cost: { requestedQueryCost: 3, actualQueryCost: 3 } },
  });
}

/** Test or demo side: what the emulated shop's live theme says of the app embed (written atomically). */
export function writeEmulatedEmbed(dir: string, shop: string, state: EmulatedEmbed) {
  mkdirSync(dir, { recursive: true });
  const all = readStates(dir);
  all[shop] = state;
  const tmp = path.join(dir, `themes.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(all));
  renameSync(tmp, path.join(dir, "themes.json"));
}
