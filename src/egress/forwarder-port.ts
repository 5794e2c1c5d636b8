/** The sandbox-private loopback port the egress forwarder normally listens on (npm's `https-proxy`). */
export const FORWARDER_PORT = 3128;
