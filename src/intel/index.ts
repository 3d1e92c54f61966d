export { IpIntel, UNKNOWN_IP, type IpInfo, type NetworkCategory } from './IpIntel.js';
export { createIpIntel, type IpIntelSources } from './createIpIntel.js';
export { loadIpIntel, type LoadIpIntelOptions } from './loadIpIntel.js';
export { parseNetworkList } from './parseNetworkList.js';
export { ipv4ToInt, networkOf } from './parseIp.js';
