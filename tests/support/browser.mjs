// Launches Debian's Chromium through playwright-core, headless, with the flags this offline
// machine needs (no background networking) and a fresh profile.
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), "dow-chromium-"));
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${userDataDir}`,
    ],
  });
}

export const BASE_URL = process.env.E2E_BASE_URL ?? `http://localhost:${process.env.TEST_PORT ?? 18787}`;
