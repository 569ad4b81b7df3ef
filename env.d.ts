/// <reference types="@remix-run/node" />
/// <reference types="@remix-run/dev" />

// ES2024 string methods, present in every Node this app runs on (20+), missing from lib ES2022.
interface String {
  isWellFormed(): boolean;
  toWellFormed(): string;
}
