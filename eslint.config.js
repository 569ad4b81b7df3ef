// ESLint: typescript-eslint's recommended rules plus React hooks, over the app, server, scripts,
// benches and tests. Formatting is Prettier's job (`npm run lint` runs both).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "build/**",
      "public/build/**",
      "node_modules/**",
      ".tools/**",
      ".cache/**",
      "data/**",
      "test-results/**",
      "extensions/**/assets/**",
      "extensions/**/dist/**",
      "**/*.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // `_`-prefixed names are deliberately unused (destructured away, required by a signature).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Tests and benches: vi.hoisted code runs before imports (require is the only way there), and
    // payloads built to be hostile are typed loosely on purpose. `use…` helpers there are not React hooks.
    files: ["test/**", "bench/**", "scripts/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-expressions": "off",
      "react-hooks/rules-of-hooks": "off",
    },
  },
  {
    // The storefront widget is written for bytes (it ships ≤ 6 KB): terse guards and empty catches are deliberate.
    files: ["extensions/**"],
    rules: { "no-empty": "off", "@typescript-eslint/no-unused-expressions": "off" },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
