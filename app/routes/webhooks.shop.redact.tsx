import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, receiveWebhook } from "~/webhooks/receive.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "SHOP_REDACT");
export const loader = methodNotAllowed;
