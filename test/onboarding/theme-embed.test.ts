// Reading the live theme's settings_data.json for the rewards embed, as the theme editor writes
// it: Shopify's comment header, other apps' embeds, switched off, a preset named by `current`.
// And the deep link, and that its block handle is the widget's embed file. Plain functions.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EMBED_BLOCK_HANDLE } from "../../app/onboarding/onboarding.server";
import { emulatedSettingsData } from "../../app/shopify/emulator/themes";
import { activateEmbedUrl, embedState } from "../../app/shopify/themes.server";

const ours = (disabled: boolean) => ({ type: "shopify://apps/regulars/blocks/rewards-embed/abc-123", disabled });

describe("the rewards embed in settings_data.json", () => {
  it("reads the file as Shopify writes it, comment header included", () => {
    expect(embedState(emulatedSettingsData("on"), "rewards-embed")).toBe("on");
    expect(embedState(emulatedSettingsData("off"), "rewards-embed")).toBe("off");
    expect(embedState(emulatedSettingsData("absent"), "rewards-embed")).toBe("absent");
  });

  it("counts only our block: another app's embed or another of our blocks is not it", () => {
    const data = {
      current: {
        blocks: {
          "1": { type: "shopify://apps/someone/blocks/chat/xyz", disabled: false },
          "2": { type: "shopify://apps/regulars/blocks/rewards-page/abc-123", disabled: false },
        },
      },
    };
    expect(embedState(JSON.stringify(data), "rewards-embed")).toBe("absent");
  });

  it("is on when any copy of it is on (an old disabled entry can stay beside a new one)", () => {
    const data = { current: { blocks: { "1": ours(true), "2": ours(false) } } };
    expect(embedState(JSON.stringify(data), "rewards-embed")).toBe("on");
    expect(embedState(JSON.stringify({ current: { blocks: { "1": ours(true) } } }), "rewards-embed")).toBe("off");
  });

  it("takes a missing `disabled` as on, as the theme editor does", () => {
    const data = { current: { blocks: { "1": { type: ours(false).type } } } };
    expect(embedState(JSON.stringify(data), "rewards-embed")).toBe("on");
  });

  it("follows `current` when it names a preset (older themes)", () => {
    const data = { current: "Default", presets: { Default: { blocks: { "1": ours(false) } } } };
    expect(embedState(JSON.stringify(data), "rewards-embed")).toBe("on");
  });

  it("says absent for no file, unreadable JSON or no blocks", () => {
    expect(embedState(null, "rewards-embed")).toBe("absent");
    expect(embedState("{ not json", "rewards-embed")).toBe("absent");
    expect(embedState(JSON.stringify({ current: {} }), "rewards-embed")).toBe("absent");
  });
});

describe("the theme editor deep link", () => {
  it("opens the app embeds with ours switched on: activateAppId=<api key>/<block handle>", () => {
    expect(activateEmbedUrl("bean.myshopify.com", "abc123", "rewards-embed")).toBe(
      "https://bean.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=abc123/rewards-embed",
    );
  });

  it("names the widget's app embed block file", () => {
    expect(existsSync(`extensions/rewards-widget/blocks/${EMBED_BLOCK_HANDLE}.liquid`)).toBe(true);
  });
});
