// What the merchant reads when the shop domain they typed cannot start a login.
import { LoginErrorType, type LoginError } from "@shopify/shopify-app-remix/server";

export interface LoginErrorMessage {
  shop?: string;
}

export function loginErrorMessage(error: LoginError | undefined): LoginErrorMessage {
  switch (error?.shop) {
    case LoginErrorType.MissingShop:
      return { shop: "Enter your shop domain to log in." };
    case LoginErrorType.InvalidShop:
      return { shop: "Enter a valid shop domain, like your-store.myshopify.com." };
    default:
      return {};
  }
}
