// Integration tests run the built server; make sure there is one to run.
import { existsSync } from "node:fs";
import path from "node:path";

export default function setup() {
  const server = path.join(process.env.REGULARS_BUILD_DIR || "build", "index.js");
  if (!existsSync(server)) {
    throw new Error(`${server} is missing: run the tests with \`npm test\` (it builds first)`);
  }
}
