/** The app's version from package.json, put in by Vite's `define` (vite.config.ts). */
declare const __QW_APP_VERSION__: string;
