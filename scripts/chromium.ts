/**
 * Finding and launching the system Chromium for the gpu and e2e tiers.
 *
 * Playwright's own browser download is not available everywhere we run, so we
 * always drive an installed Chromium. Order: $CHROME_PATH, /usr/bin/chromium,
 * then google-chrome and chromium-browser on PATH.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';

/**
 * Flags that give real WebGPU in headless Chromium even without a GPU: Chromium
 * falls back to SwiftShader (a CPU Vulkan) when no hardware adapter exists.
 *
 * The second group lets a WebGPU *canvas* present: by default the compositor
 * runs on ANGLE/GL while Dawn runs on Vulkan, no shared-image backing joins the
 * two, and the device is destroyed on the first present ("Could not find
 * SharedImageBackingFactory"). Vulkan compositing on SwiftShader joins them
 * (same finding as visgl/luma.gl#2874).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-gpu',
  '--ignore-gpu-blocklist',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Flags for a machine with a real GPU: let Chromium choose the hardware adapter. */
export const CHROMIUM_ARGS_HARDWARE: readonly string[] = CHROMIUM_ARGS.filter(
  (flag) => !/^--use-(webgpu-adapter|vulkan|angle)=|swiftshader/.test(flag),
);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return found.length > 0 ? found : undefined;
  } catch {
    return undefined;
  }
}

/** The Chromium executable to use, or undefined when none is installed. */
export function findChromium(): string | undefined {
  const fromEnv = process.env['CHROME_PATH'];
  if (fromEnv !== undefined && fromEnv.length > 0) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`CHROME_PATH=${fromEnv} is not an executable file`);
    }
    return fromEnv;
  }
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  return onPath('google-chrome') ?? onPath('chromium-browser') ?? onPath('chromium');
}

export const HOW_TO_GET_A_BROWSER =
  'No Chromium found: install one (Debian/Ubuntu: `apt-get install chromium`) or set CHROME_PATH to a Chrome/Chromium executable.';

/**
 * Find Chromium; on Debian as root install Debian's `chromium` package when it is
 * missing. Throws with one line on how to get a browser otherwise.
 */
export function ensureChromium(log: (line: string) => void = console.log): string {
  const found = findChromium();
  if (found !== undefined) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/etc/debian_version')) {
    log('Chromium not found: installing Debian package `chromium` (apt-get)...');
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-q', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = findChromium();
    if (installed !== undefined) return installed;
  }
  throw new Error(HOW_TO_GET_A_BROWSER);
}
