// Where the Regulars app answers. Keep equal to `application_url` in shopify.app.toml
// (test/extensions checks it); for `shopify app dev`, point it at the tunnel while developing.
export const APP_URL = "https://regulars.example.com";
