/**
 * The network an address belongs to, as a linking and novelty key: the /24 for IPv4, the /48 for
 * IPv6. Residential and mobile customers move inside their provider's block far more often than
 * they change provider, so the /24 is what "a network this customer uses" means in practice.
 * A string that is not an IP address is returned unchanged, so it still compares equal to itself.
 */
export function networkOf(ip: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (ip.includes(':')) {
    const [head] = ip.split('::');
    const groups = head.split(':').filter((g) => g !== '');
    while (groups.length < 3) groups.push('0');
    return `${groups.slice(0, 3).join(':').toLowerCase()}::/48`;
  }
  return ip;
}

/**
 * The /16 around an IPv4 address or a `networkOf` /24 key: roughly a provider's regional pool, where
 * a mobile customer's address wanders. Undefined for IPv6 and anything else.
 */
export function wideNetworkOf(ipOrNetwork: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\./.exec(ipOrNetwork);
  return m ? `${m[1]}.${m[2]}.0.0/16` : undefined;
}
