// The e2e tier runs the built server; make sure there is one to run. (The unit and database
// tiers need no build: see test/tiers.ts.)
import { existsSync } from "node:fs";
import path from "node:path";

export default function setup() {
  const server = path.join(process.env.REGULARS_BUILD_DIR || "build", "index.js");
  if (!existsSync(server)) {
    throw new Error(`${server} is missing: run \`npm run build\` first (\`npm test\` builds before the e2e tier)`);
  }
}
