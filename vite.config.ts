import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

/**
 * The built page's Content-Security-Policy (README, "Content-Security-Policy").
 * No inline script, no eval ('wasm-unsafe-eval' lets the zstd and WebP
 * decoders compile their WebAssembly, nothing more), Lit's styles come as
 * constructable stylesheets, and the page connects only to its own origin
 * (the bundled demo) and to blob:/data: URLs. The analyst's URLs are fetched
 * by the io worker, which gets its own policy (DECODE_WORKER_CSP).
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self' blob: data:",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The io worker's policy where the server sends one (vite preview below): the
 * same as the page's, except that it may fetch from any http(s) origin — the
 * worker only fetches the URLs the analyst typed (or the demo's).
 */
export const DECODE_WORKER_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "img-src 'self' blob: data:",
  "connect-src 'self' blob: data: http: https:",
].join('; ');

/** Writes PAGE_CSP into the built index.html (not the dev server's: its HMR client needs more). */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'quaywatch-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: PAGE_CSP },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}

/**
 * `vite preview` serves the policy as headers too: the page's for everything but the io
 * worker's script, which gets DECODE_WORKER_CSP (a worker's policy comes from its own response).
 */
function contentSecurityPolicyHeaders(): Plugin {
  return {
    name: 'quaywatch-csp-headers',
    configurePreviewServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = (request.url ?? '').split('?')[0] ?? '';
        const isDecodeWorker = /\/assets\/decode\.worker-[\w-]+\.js$/.test(path);
        response.setHeader(
          'Content-Security-Policy',
          isDecodeWorker ? DECODE_WORKER_CSP : PAGE_CSP,
        );
        next();
      });
    },
  };
}

/**
 * A build is a production build whatever NODE_ENV says: the e2e tests build under
 * NODE_ENV=test, which would otherwise pick Lit's development export (and its dev-mode warning).
 */
function productionExports(): Plugin {
  return {
    name: 'quaywatch-production-exports',
    apply: 'build',
    config: () => ({ resolve: { conditions: ['module', 'browser', 'production'] } }),
  };
}

function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

// The app is a static bundle: index.html + one module graph + the io worker.
export default defineConfig({
  base: './',
  // The app's version for exported figures (ui code may not import package.json: layers).
  define: { __QW_APP_VERSION__: JSON.stringify(appVersion()) },
  plugins: [contentSecurityPolicyMeta(), contentSecurityPolicyHeaders(), productionExports()],
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  worker: {
    format: 'es',
  },
  // Dependencies the dev server (and Vitest's browser tier) would otherwise
  // discover only when the io worker or a Lit directive is first loaded: it
  // then re-bundles them and reloads the page mid-test, which on a fresh clone
  // crashed a decode worker in the gpu tier ("Vite unexpectedly reloaded a test").
  optimizeDeps: {
    include: [
      'comlink',
      'fast-png',
      'geotiff',
      'jpeg-js',
      'lit',
      'lit/directive.js',
      'lit/directives/live.js',
      'lit/directives/repeat.js',
      'pako',
      'proj4',
      'zstddec',
    ],
  },
  server: {
    port: 5173,
  },
  preview: {
    port: 4173,
  },
});
