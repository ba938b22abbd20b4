// The app's Content-Security-Policy, one definition for the dev server, `vite preview` and the built app (a
// <meta> tag in every page, for hosts that send no headers). It allows what the app needs and nothing else:
// scripts, workers and the service worker from this origin only, WebAssembly compilation ('wasm-unsafe-eval',
// for onnxruntime-web, threads included), no inline scripts, no plugins, no framing. Network access
// (connect-src) is this origin plus any https host, because the Hugging Face hub URL is user-configurable (a
// mirror may live anywhere), and plain http only on this computer (a local mirror or test hub): a hub on
// plain http elsewhere would expose downloads and access tokens to the network.

/** Where the policy is delivered: as a header (dev, preview) or as a <meta> tag (the built pages). */
export interface CspOptions {
  /** The dev server: also allows Vite's inline React-refresh preamble, its injected styles and the HMR socket. */
  dev?: boolean;
  /** For a <meta> tag: without frame-ancestors, which browsers ignore (with a console error) in <meta>. */
  meta?: boolean;
}

/** Hosts reachable over plain http (loopback only). */
/** NOTE: CSP host sources cannot name IPv6 literals, so http://[::1] is not among them. */
export const LOCAL_HTTP_SOURCES = ['http://localhost:*', 'http://127.0.0.1:*'] as const;

/** The policy as one header / meta value. */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const { dev = false, meta = false } = options;
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'", ...(dev ? ["'unsafe-inline'"] : [])],
    'worker-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", 'https:', ...LOCAL_HTTP_SOURCES, ...(dev ? ['ws:', 'wss:'] : [])],
    'style-src': ["'self'", ...(dev ? ["'unsafe-inline'"] : [])],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    ...(meta ? {} : { 'frame-ancestors': ["'none'"] }),
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
