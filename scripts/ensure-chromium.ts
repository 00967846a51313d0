// Prints the Chromium the gpu and e2e tiers will use; installs it on Debian as root.
import { ensureChromium } from './chromium.ts';

try {
  console.log(`chromium: ${ensureChromium()}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
