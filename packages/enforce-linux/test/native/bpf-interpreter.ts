// A classic-BPF interpreter for the seccomp program, so tests can check the filter's decisions for
// either architecture (including aarch64 on an x86_64 host) on synthetic struct seccomp_data.

export const SECCOMP_RET_KILL_PROCESS = 0x8000_0000;
export const SECCOMP_RET_ALLOW = 0x7fff_0000;
export const SECCOMP_RET_ERRNO = 0x0005_0000;
export const AUDIT_ARCH_X86_64 = 0xc000_003e;
export const AUDIT_ARCH_AARCH64 = 0xc000_00b7;
export const AUDIT_ARCH_I386 = 0x4000_0003;
export const AUDIT_ARCH_ARM = 0x4000_0028;

export interface SeccompData {
  nr: number;
  arch: number;
  /** Up to six 64-bit arguments. */
  args?: readonly bigint[];
}

export type Verdict = { action: "allow" } | { action: "kill" } | { action: "errno"; errno: number };

/** Runs `program` (struct sock_filter[] bytes, little-endian) on `data`. Throws on anything a seccomp program may not do. */
export function runFilter(program: Uint8Array, data: SeccompData): Verdict {
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const packet = new DataView(new ArrayBuffer(64));
  packet.setInt32(0, data.nr, true);
  packet.setUint32(4, data.arch, true);
  (data.args ?? []).forEach((arg, i) => packet.setBigUint64(16 + 8 * i, BigInt.asUintN(64, arg), true));
  let acc = 0;
  for (let pc = 0, steps = 0; steps < 10_000; steps += 1) {
    if (pc * 8 >= program.byteLength) throw new Error(`pc ${pc} ran off the end`);
    const code = view.getUint16(pc * 8, true);
    const jt = view.getUint8(pc * 8 + 2);
    const jf = view.getUint8(pc * 8 + 3);
    const k = view.getUint32(pc * 8 + 4, true);
    switch (code) {
      case 0x20: // BPF_LD | BPF_W | BPF_ABS
        if (k % 4 !== 0 || k + 4 > 64) throw new Error(`bad load offset ${k}`);
        acc = packet.getUint32(k, true);
        pc += 1;
        break;
      case 0x54: // BPF_ALU | BPF_AND | BPF_K
        acc = (acc & k) >>> 0;
        pc += 1;
        break;
      case 0x05: // BPF_JMP | BPF_JA
        pc += 1 + k;
        break;
      case 0x15: // JEQ
        pc += 1 + (acc === k ? jt : jf);
        break;
      case 0x35: // JGE
        pc += 1 + (acc >= k ? jt : jf);
        break;
      case 0x25: // JGT
        pc += 1 + (acc > k ? jt : jf);
        break;
      case 0x45: // JSET
        pc += 1 + ((acc & k) !== 0 ? jt : jf);
        break;
      case 0x06: { // BPF_RET | BPF_K
        const action = (k & 0xffff_0000) >>> 0;
        if (action === SECCOMP_RET_ALLOW) return { action: "allow" };
        if (action === SECCOMP_RET_KILL_PROCESS) return { action: "kill" };
        if (action === SECCOMP_RET_ERRNO) return { action: "errno", errno: k & 0xffff };
        throw new Error(`unexpected return action 0x${k.toString(16)}`);
      }
      default:
        throw new Error(`unexpected instruction 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error("program did not terminate");
}
