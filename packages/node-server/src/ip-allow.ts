import { BlockList, isIP } from "node:net";

/**
 * Addresses allowed to reach the server: single addresses and CIDR ranges, IPv4 and IPv6 (`10.0.0.0/8`,
 * `192.168.1.20`, `fd00::/8`, `::1`). An IPv4 peer that reaches a dual-stack socket shows up as `::ffff:a.b.c.d`:
 * it matches the IPv4 rules, and `::ffff:a.b.c.d/n` rules match plain IPv4 peers.
 */
export class IpAllowList {
  readonly #list = new BlockList();
  readonly rules: readonly string[];

  /** Throws a TypeError naming the first rule that is not an address or a CIDR range. */
  constructor(rules: readonly string[]) {
    if (rules.length === 0) throw new TypeError("allowedIps must list at least one address or range (omit it to allow every address)");
    for (const rule of rules) this.#add(rule);
    this.rules = [...rules];
  }

  allows(address: string | undefined): boolean {
    if (!address) return false;
    const zoneless = address.replace(/%.*$/, ""); // fe80::1%eth0
    const family = isIP(zoneless);
    if (family === 0) return false;
    return this.#list.check(zoneless, family === 4 ? "ipv4" : "ipv6");
  }

  #add(rule: string): void {
    const bad = () => new TypeError(`allowedIps: "${rule}" is not an IPv4 or IPv6 address or CIDR range (e.g. 192.168.1.0/24, fd00::/8)`);
    if (typeof rule !== "string") throw bad();
    const [address = "", prefix, ...rest] = rule.trim().split("/");
    const family = isIP(address);
    if (family === 0 || rest.length > 0) throw bad();
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) return this.#list.addAddress(address, type);
    const bits = /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) throw bad();
    this.#list.addSubnet(address, bits, type);
  }
}
