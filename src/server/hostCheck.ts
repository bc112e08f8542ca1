import { isIP } from 'node:net';

/**
 * DNS rebinding defence. A hostile page can make its own name resolve to this machine, and then
 * its requests carry `Host: evil.example` and a matching `Origin`, so an Origin-equals-Host check
 * alone passes. The Host header must therefore name this server itself: an IP literal it listens
 * on, `localhost` when it listens on loopback, the name it was told to bind, or a name in
 * `allowedHosts`. A rebound name is none of these.
 */
export type HostCheck = (hostHeader: string | undefined) => boolean;

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1']);
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::']);

/** `bound` is the address the listener reports; `configured` the --host it was given. */
export function createHostCheck(bound: { readonly address: string; readonly port: number }, configured: string, allowedHosts: readonly string[]): HostCheck {
  const names = new Set([...allowedHosts, configured].map((n) => normaliseName(n)));
  const wildcard = WILDCARD_ADDRESSES.has(bound.address);
  const loopback = LOOPBACK_ADDRESSES.has(bound.address) || bound.address.startsWith('127.');
  return (hostHeader) => {
    const parsed = parseHost(hostHeader);
    if (parsed === undefined || parsed.port !== bound.port) return false;
    const { hostname } = parsed;
    if (isIP(hostname) !== 0) return wildcard || hostname === normaliseName(bound.address);
    if (hostname === 'localhost') return loopback || wildcard;
    return names.has(hostname);
  };
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** `Host: name[:port]` through the WHATWG URL parser, so `2130706433` is 127.0.0.1 as a browser sees it. */
function parseHost(header: string | undefined): { hostname: string; port: number } | undefined {
  if (header === undefined || header.length === 0 || header.length > 255 || /[\s/?#@\\]/.test(header)) return undefined;
  try {
    const url = new URL(`http://${header}`);
    return { hostname: normaliseName(url.hostname), port: url.port === '' ? 80 : Number(url.port) };
  } catch {
    return undefined;
  }
}
