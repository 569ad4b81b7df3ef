// Regenerates public/favicon.ico from public/favicon.svg: Debian Chromium (playwright-core, as in the
// tests) draws the SVG at 32×32 and the PNG is wrapped in a one-image ICO, which every browser reads.
// Run after editing the SVG: `npx tsx scripts/favicon.ts`.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../test/support/chromium";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SIZE = 32;

const svg = readFileSync(path.join(root, "public/favicon.svg"), "utf8");
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}svg{display:block;width:${SIZE}px;height:${SIZE}px}</style>${svg}`,
  );
  const png = await page.screenshot({ omitBackground: true });
  // ICONDIR (reserved, type 1 = icon, one image) and its ICONDIRENTRY, then the PNG itself.
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(1, 4);
  header.writeUInt8(SIZE, 6); // width
  header.writeUInt8(SIZE, 7); // height
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18);
  writeFileSync(path.join(root, "public/favicon.ico"), Buffer.concat([header, png]));
  console.log(`public/favicon.ico: ${header.length + png.length} bytes`);
} finally {
  await browser.close();
}
