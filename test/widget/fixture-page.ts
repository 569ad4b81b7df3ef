// The fixture page now lives in the app (the storefront preview renders it too); same functions.
export * from "../../app/storefront/fixture-page";
