import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, receiveWebhook } from "~/webhooks/receive.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, "REFUNDS_CREATE");
export const loader = methodNotAllowed;
