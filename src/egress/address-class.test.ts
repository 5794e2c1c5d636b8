import { describe, expect, test } from "bun:test";
import { addressClass, canonicalAddress, type AddressClass } from "./address-class.ts";

const TABLE: [string, AddressClass][] = [
  ["93.184.216.34", "public"],
  ["104.16.0.35", "public"],
  ["8.8.8.8", "public"],
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["10.0.0.1", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["172.15.255.255", "public"],
  ["172.32.0.1", "public"],
  ["192.168.1.1", "private"],
  ["169.254.169.254", "link-local"],
  ["100.64.0.1", "shared"],
  ["100.127.255.255", "shared"],
  ["100.128.0.1", "public"],
  ["100.63.255.255", "public"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "reserved"],
  ["198.18.0.1", "reserved"],
  ["::1", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["::", "unspecified"],
  ["fc00::1", "private"],
  ["fd12:3456:789a::1", "private"],
  ["fec0::1", "private"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf::1", "link-local"],
  ["ff02::1", "multicast"],
  ["2606:4700::6810:2223", "public"],
  ["2001:4860:4860::8888", "public"],
  // IPv4-mapped, -compatible, SIIT, NAT64 and 6to4 forms are what they embed.
  ["::ffff:127.0.0.1", "loopback"],
  ["::FFFF:7f00:1", "loopback"],
  ["0:0:0:0:0:ffff:127.0.0.1", "loopback"],
  ["::ffff:0.0.0.0", "unspecified"],
  ["::ffff:10.1.2.3", "private"],
  ["::ffff:192.168.0.1", "private"],
  ["::ffff:172.16.0.1", "private"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:a9fe:a9fe", "link-local"],
  ["::ffff:100.64.0.1", "shared"],
  ["::ffff:224.0.0.1", "multicast"],
  ["::ffff:93.184.216.34", "public"],
  ["::127.0.0.1", "loopback"],
  ["::ffff:0:127.0.0.1", "loopback"],
  ["64:ff9b::10.0.0.1", "private"],
  ["64:ff9b::93.184.216.34", "public"],
  ["2002:7f00:1::", "loopback"],
  ["2002:5db8:d822::1", "public"],
  ["localhost", "invalid"],
  ["127.1", "invalid"],
  ["", "invalid"],
  ["1.2.3.256", "invalid"],
];

describe("address classes", () => {
  for (const [address, kind] of TABLE) {
    test(`${address || "(empty)"} is ${kind}`, () => expect(addressClass(address)).toBe(kind));
  }
});

test("one canonical spelling per address", () => {
  expect(canonicalAddress("::FFFF:127.0.0.1")).toBe("127.0.0.1");
  expect(canonicalAddress("::ffff:7f00:1")).toBe("127.0.0.1");
  expect(canonicalAddress("0:0:0:0:0:0:0:1")).toBe("::1");
  expect(canonicalAddress("2606:4700:0:0:0:0:6810:2223")).toBe("2606:4700::6810:2223");
  expect(canonicalAddress("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
  expect(canonicalAddress("1:0:2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
  expect(canonicalAddress("::")).toBe("::");
  expect(canonicalAddress("registry.npmjs.org")).toBeNull();
});
