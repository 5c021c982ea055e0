/**
 * Egress policy: which engine hosts Nara may ever connect to. Engine addresses come only from the
 * operator's configuration (no request field can name one), and this allow-list lets an operator
 * pin them to their own network, e.g. `*.svc.cluster.local` or `10.0.0.0/8`.
 */
import { BlockList, isIP } from 'node:net';

export interface EgressRule {
  readonly pattern: string;
  matches(host: string): boolean;
}

/** Cloud metadata endpoints are never a model engine; refusing them stops a classic SSRF target. */
const metadataAddresses = new BlockList();
metadataAddresses.addSubnet('169.254.0.0', 16, 'ipv4'); // AWS, GCP, Azure, OpenStack (link-local)
metadataAddresses.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud
metadataAddresses.addAddress('192.0.0.192', 'ipv4'); // Oracle Cloud (legacy)
metadataAddresses.addAddress('fd00:ec2::254', 'ipv6'); // AWS over IPv6

export function isMetadataAddress(host: string): boolean {
  const bare = stripBrackets(host).replace(/\.$/, '');
  const family = isIP(bare);
  if (family === 0) return bare.toLowerCase() === 'metadata.google.internal';
  return metadataAddresses.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** Parses one allow-list entry; returns an error message for entries that make no sense. */
export function parseEgressRule(pattern: string): EgressRule | string {
  const trimmed = pattern.trim().toLowerCase();
  if (trimmed.includes('/')) {
    const [address = '', bitsText = ''] = trimmed.split('/');
    const family = isIP(address);
    const bits = Number(bitsText);
    const maxBits = family === 4 ? 32 : 128;
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > maxBits) {
      return `"${pattern}" is not a CIDR range such as 10.0.0.0/8 or fd00::/8`;
    }
    const list = new BlockList();
    list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
    return {
      pattern,
      matches: (host) => {
        const bare = stripBrackets(host);
        const hostFamily = isIP(bare);
        return hostFamily !== 0 && list.check(bare, hostFamily === 4 ? 'ipv4' : 'ipv6');
      },
    };
  }
  if (trimmed.startsWith('*.')) {
    const suffix = trimmed.slice(1); // ".svc.cluster.local"
    if (suffix.length < 3) return `"${pattern}" is too broad; name a domain such as *.svc.cluster.local`;
    return { pattern, matches: (host) => host.toLowerCase().endsWith(suffix) };
  }
  if (trimmed.includes('*')) return `"${pattern}" may only use * as its first label, as in *.example.internal`;
  const exact = stripBrackets(trimmed);
  return { pattern, matches: (host) => stripBrackets(host.toLowerCase()) === exact };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
