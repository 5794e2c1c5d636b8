import { expect, test } from "bun:test";
import { endianness } from "node:os";
import {
  auditArch,
  BPF_JMP_JEQ_K,
  BPF_JMP_JGE_K,
  BPF_LD_W_ABS,
  BPF_RET_K,
  DENIED_SYSCALLS,
  EPERM,
  nativeSeccompArch,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  seccompFilter,
  syscallNumber,
  type SeccompArch,
} from "./seccomp-filter.ts";

/** Runs the program on one `struct seccomp_data` the way the kernel does (only the opcodes it may contain). */
function run(program: Uint8Array, data: { nr: number; arch: number }): number {
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const little = endianness() === "LE";
  let acc = 0;
  for (let pc = 0; pc * 8 < program.length; pc++) {
    const code = view.getUint16(pc * 8, little);
    const jt = view.getUint8(pc * 8 + 2);
    const jf = view.getUint8(pc * 8 + 3);
    const k = view.getUint32(pc * 8 + 4, little);
    if (code === BPF_LD_W_ABS) acc = k === 0 ? data.nr >>> 0 : k === 4 ? data.arch >>> 0 : NaN;
    else if (code === BPF_JMP_JEQ_K) pc += acc === k ? jt : jf;
    else if (code === BPF_JMP_JGE_K) pc += acc >= k ? jt : jf;
    else if (code === BPF_RET_K) return k;
    else throw new Error(`unexpected opcode ${code} at ${pc}`);
    if ((pc + 1) * 8 > program.length) throw new Error("jumped past the end");
  }
  throw new Error("fell off the end without a return");
}

const I386 = 0x40000003;
const DENY = (SECCOMP_RET_ERRNO | EPERM) >>> 0;

for (const arch of ["x86_64", "aarch64"] as SeccompArch[]) {
  test(`${arch}: the denied calls get EPERM, every other call is allowed`, () => {
    const program = seccompFilter(arch);
    expect(program.length % 8).toBe(0);
    // BPF_MAXINSNS is 4096; this stays tiny.
    expect(program.length / 8).toBeLessThan(16);
    for (const name of DENIED_SYSCALLS) expect(run(program, { nr: syscallNumber(arch, name), arch: auditArch(arch) })).toBe(DENY);
    const denied = new Set(DENIED_SYSCALLS.map((name) => syscallNumber(arch, name)));
    for (let nr = 0; nr < 600; nr++) if (!denied.has(nr)) expect(run(program, { nr, arch: auditArch(arch) })).toBe(SECCOMP_RET_ALLOW);
  });

  test(`${arch}: a call under another ABI kills the process`, () => {
    const program = seccompFilter(arch);
    const other = arch === "x86_64" ? auditArch("aarch64") : auditArch("x86_64");
    for (const arch of [I386, other]) expect(run(program, { nr: 26, arch }) >>> 0).toBe(SECCOMP_RET_KILL_PROCESS);
  });
}

test("x86_64: x32 calls (the x32 bit set, same arch) kill the process, x32's ptrace included", () => {
  const program = seccompFilter("x86_64");
  for (const nr of [0x40000000, 0x40000000 + 521, 0x40000000 + 101]) expect(run(program, { nr, arch: auditArch("x86_64") }) >>> 0).toBe(SECCOMP_RET_KILL_PROCESS);
});

test("the native architecture is known on x86_64 and aarch64 only", () => {
  expect(nativeSeccompArch("x64")).toBe("x86_64");
  expect(nativeSeccompArch("arm64")).toBe("aarch64");
  expect(nativeSeccompArch("riscv64")).toBeNull();
});
