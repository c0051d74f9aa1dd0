/// <reference types="vite/client" />

// Where the browser finds the dev server (see src/lib/backend/index.ts); all optional.
interface ImportMetaEnv {
  readonly VITE_COUPONDESK_URL?: string;
  readonly VITE_COUPONDESK_TOKEN?: string;
  readonly VITE_COUPONDESK_EXPORT_DIR?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
