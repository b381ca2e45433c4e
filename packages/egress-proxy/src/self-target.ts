// NET-13: a request whose target is this proxy's own listener (loopback or unspecified address and
// one of its ports) would let a client chain the proxy through itself; it is refused.
import ipaddr from "ipaddr.js";

/** True when `ip` reaches this machine's loopback: 127/8, ::1, 0.0.0.0/8, ::, and v4-mapped forms. */
export function isLoopbackOrUnspecified(ip: string): boolean {
  try {
    let addr: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(ip.split("%")[0] as string);
    if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
    const range = addr.range();
    return range === "loopback" || range === "unspecified";
  } catch {
    return false;
  }
}

/** A predicate over (address, port) for the proxy's current TCP listener ports. */
export function selfTargetCheck(ports: ReadonlySet<number>): (address: string, port: number) => boolean {
  return (address, port) => ports.has(port) && isLoopbackOrUnspecified(address);
}
