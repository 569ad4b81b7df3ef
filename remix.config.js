// REGULARS_BUILD_DIR lets several builds live side by side (default: build/).
const buildDir = process.env.REGULARS_BUILD_DIR || "build";

/** Remix 2, classic compiler (the owner's choice). @type {import('@remix-run/dev').AppConfig} */
export default {
  serverBuildPath: `${buildDir}/index.js`,
  assetsBuildDirectory: `${buildDir}/client/build`,
  publicPath: "/build/",
  ignoredRouteFiles: ["**/.*", "**/*.test.*", "**/README.md"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Polaris ships CSS imported from JS; bundle these so the server build can load them.
  serverDependenciesToBundle: [/^@shopify\/polaris/, /^@shopify\/app-bridge-react/],
  browserNodeBuiltinsPolyfill: { modules: { crypto: true, buffer: true, path: true } },
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
  },
};
