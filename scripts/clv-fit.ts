/**
 * Fit BG/NBD and Gamma-Gamma to a customer summary CSV and print the
 * parameters as JSON: `tsx scripts/clv-fit.ts <csv>`.
 *
 * Required columns: x (repeat purchases), t_x (recency), T (age).
 * Optional: zbar or m (mean repeat spend); without it gammaGamma is null.
 */
import { existsSync, readFileSync } from "node:fs";
import { fitBgNbd } from "../app/analytics/clv/bgnbd";
import { fitGammaGamma } from "../app/analytics/clv/gamma-gamma";
import { MIN_REPEAT_CUSTOMERS_TO_FIT, type CustomerSummary } from "../app/analytics/clv/index";

const REQUIRED_COLUMNS = ["x", "t_x", "T"] as const;
const SPEND_COLUMNS = ["zbar", "m"];

function readCustomers(file: string): { customers: CustomerSummary[]; hasSpend: boolean } {
  if (!existsSync(file)) throw new Error(`file not found: ${file}`);
  const lines = readFileSync(file, "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new Error(`${file} is empty`);

  const header = lines[0].split(",").map((name) => name.trim().replace(/^"|"$/g, ""));
  const missing = REQUIRED_COLUMNS.filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw new Error(`${file} is missing column(s) ${missing.join(", ")}; header is: ${header.join(", ")}`);
  }
  const column = (name: string) => header.indexOf(name);
  const spendColumn = SPEND_COLUMNS.map(column).find((index) => index >= 0) ?? -1;

  const customers = lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    const number = (index: number) => {
      const value = Number(cells[index]);
      if (cells[index] === undefined || cells[index].trim() === "" || !Number.isFinite(value)) {
        throw new Error(`${file} line ${i + 2}: column ${header[index]} is not a number`);
      }
      return value;
    };
    return {
      x: number(column("x")),
      t_x: number(column("t_x")),
      T: number(column("T")),
      zbar: spendColumn >= 0 ? number(spendColumn) : 0,
    };
  });
  return { customers, hasSpend: spendColumn >= 0 };
}

function main(args: string[]): number {
  const file = args[0];
  if (!file) {
    console.error("usage: tsx scripts/clv-fit.ts <customer-summary.csv>");
    return 1;
  }
  try {
    const { customers, hasSpend } = readCustomers(file);
    const repeatCustomers = customers.filter((c) => c.x > 0).length;
    if (repeatCustomers < MIN_REPEAT_CUSTOMERS_TO_FIT) {
      console.error(`warning: only ${repeatCustomers} repeat customers; the app would not use this fit`);
    }
    const { r, alpha, a, b, logLikelihood } = fitBgNbd(customers);
    const gammaGamma = hasSpend ? fitGammaGamma(customers) : null;
    console.log(JSON.stringify({ bgnbd: { r, alpha, a, b, logLikelihood }, gammaGamma }));
    return 0;
  } catch (error) {
    console.error(`clv-fit: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
