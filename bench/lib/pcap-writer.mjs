/**
 * A small pcap writer for the reader benchmark: builds an Ethernet/IPv4/TCP capture of any size
 * straight into one Buffer (little-endian, microsecond pcap, as tcpdump writes on x86).
 */
import { writeFileSync } from 'node:fs';

const ETH_IP_TCP = 14 + 20 + 20;

/**
 * `packets` TCP segments spread over `flows` connections between 10.0.x.y hosts, with payloads of
 * 0..`maxPayload` bytes and the usual flag mix (mostly ACK and PSH-ACK, a few SYN and FIN).
 */
export function buildTcpCapture({ packets, flows = 64, maxPayload = 64, startSec = 1_700_000_000 }) {
  let total = 24;
  for (let i = 0; i < packets; i++) total += 16 + ETH_IP_TCP + payloadOf(i, maxPayload);
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(262144, 16);
  buf.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const seqs = new Uint32Array(flows * 2);
  let off = 24;
  for (let i = 0; i < packets; i++) {
    const payload = payloadOf(i, maxPayload);
    const frame = ETH_IP_TCP + payload;
    const usec = i * 7;
    buf.writeUInt32LE(startSec + Math.floor(usec / 1e6), off);
    buf.writeUInt32LE(usec % 1e6, off + 4);
    buf.writeUInt32LE(frame, off + 8);
    buf.writeUInt32LE(frame, off + 12);
    off += 16;
    const flow = i % flows;
    const reply = (i >> 6) & 1;
    const client = 0x0a000000 + 256 + flow;
    const server = 0x0a000000 + 512 + (flow & 3);
    // Ethernet
    buf.writeUInt32BE(0x02000000 + (reply ? 2 : 1), off);
    buf.writeUInt16BE(flow, off + 4);
    buf.writeUInt32BE(0x02000000 + (reply ? 1 : 2), off + 6);
    buf.writeUInt16BE(flow, off + 10);
    buf.writeUInt16BE(0x0800, off + 12);
    // IPv4
    const ip = off + 14;
    buf[ip] = 0x45;
    buf.writeUInt16BE(20 + 20 + payload, ip + 2);
    buf.writeUInt16BE(i & 0xffff, ip + 4);
    buf.writeUInt16BE(0x4000, ip + 6);
    buf[ip + 8] = 64;
    buf[ip + 9] = 6;
    buf.writeUInt32BE(reply ? server : client, ip + 12);
    buf.writeUInt32BE(reply ? client : server, ip + 16);
    // TCP
    const tcp = ip + 20;
    buf.writeUInt16BE(reply ? 443 : 40000 + flow, tcp);
    buf.writeUInt16BE(reply ? 40000 + flow : 443, tcp + 2);
    const dir = flow * 2 + reply;
    buf.writeUInt32BE(seqs[dir], tcp + 4);
    buf.writeUInt32BE(seqs[dir ^ 1], tcp + 8);
    seqs[dir] += payload;
    buf[tcp + 12] = 5 << 4;
    buf[tcp + 13] = flagsOf(i);
    buf.writeUInt16BE(502, tcp + 14);
    off += frame;
  }
  return buf;
}

function payloadOf(i, maxPayload) {
  return maxPayload === 0 ? 0 : (i * 37) % (maxPayload + 1);
}

function flagsOf(i) {
  const r = i % 100;
  if (r === 0) return 0x02; // SYN
  if (r === 1) return 0x12; // SYN-ACK
  if (r === 99) return 0x11; // FIN-ACK
  return r % 2 ? 0x18 : 0x10; // PSH-ACK, ACK
}

export function writeTcpCapture(path, opts) {
  const buf = buildTcpCapture(opts);
  writeFileSync(path, buf);
  return buf.length;
}
