// Polaris web components built with plain DOM calls: extensions (2025-10 and later) render into
// `document.body` (Shopify's remote DOM), so no UI framework has to ship in the bundle.
import type { ElementProps, Tag } from "./shopify";

export type Child = Node | string | number | null | undefined | false | Child[];

/**
 * `h("s-button", { variant: "secondary", onclick: apply }, "Apply")`. As Preact does it: a prop the
 * element knows is set as a property, anything else as an attribute; `on*` props become listeners.
 */
export function h<T extends Tag>(tag: T, props: ElementProps<T> | null, ...children: Child[]): HTMLElement {
  const element: HTMLElement = document.createElement(tag as string);
  for (const [name, value] of Object.entries(props ?? {}) as Array<[string, unknown]>) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    else if (name in element) (element as unknown as Record<string, unknown>)[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...flatten(children));
  return element;
}

function flatten(children: Child[]): Array<Node | string> {
  return children.flatMap((child): Array<Node | string> => {
    if (Array.isArray(child)) return flatten(child);
    if (child === null || child === undefined || child === false) return [];
    return [typeof child === "number" ? String(child) : child];
  });
}

/** Replaces what the extension shows. */
export function show(...children: Child[]) {
  document.body.replaceChildren(...flatten(children));
}
