// Structure rules, checked in `npm test` (`npm run check:structure`): imports point one way and
// never in a circle. Routes sit on top; the domain (loyalty, analytics, backfill, privacy,
// webhooks, storefront, admin) below them; the Shopify client and the database at the bottom.
// The HTTP server (server.mjs, server/) stands apart: it reaches the app only through the build.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "A circle of imports only works by accident (lazy construction); break it with a parameter or a registration.",
      severity: "error",
      from: { path: "^(app/|server/|server\\.mjs$)" },
      to: { circular: true },
    },
    {
      name: "server-reaches-the-app-through-the-build",
      comment:
        "The HTTP server (server.mjs, server/) is plain JavaScript that loads the Remix build at run time; it takes the app only from the build (build.entry.module, see app/entry.server.tsx), never by importing app/ sources.",
      severity: "error",
      from: { path: "^(server/|server\\.mjs$)" },
      to: { path: "^app/" },
    },
    {
      name: "routes-are-the-top",
      comment: "Nothing below the routes imports a route module.",
      severity: "error",
      from: { path: "^app/", pathNot: "^app/(routes/|root\\.tsx$|entry\\.)" },
      to: { path: "^app/routes/" },
    },
    {
      name: "shopify-client-is-a-leaf",
      comment: "The Shopify client (app/shopify.server.ts) imports no domain module; the domain registers what it needs.",
      severity: "error",
      from: { path: "^app/shopify\\.server\\.ts$" },
      to: {
        path: "^app/(loyalty|analytics|backfill|privacy|webhooks|storefront|reconciliation|jobs|onboarding|admin/(?!outside-admin)|routes)/|^app/shop\\.server\\.ts$",
      },
    },
    {
      name: "shopify-layer-below-the-domain",
      comment:
        "app/shopify/ holds Admin API calls in Shopify's shapes; mapping them to the domain's records is the domain's job.",
      severity: "error",
      from: { path: "^app/shopify/" },
      to: {
        path: "^app/(loyalty|analytics|backfill|privacy|webhooks|storefront|shops|reconciliation|jobs|admin|demo|onboarding|routes)/",
      },
    },
    {
      name: "database-is-the-bottom",
      comment: "The database layer imports nothing of the app but the configuration.",
      severity: "error",
      from: { path: "^app/(db\\.server\\.ts|db/)" },
      to: { path: "^app/", pathNot: "^app/(db\\.server\\.ts|db/|config\\.server\\.ts$)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
