import { endianness } from "node:os";

/**
 * The seccomp program bwrap installs (`--seccomp FD`) on every sandboxed command: classic BPF over
 * `struct seccomp_data` that refuses, with EPERM, the calls that read or change another process.
 * Every process in the sandbox is the same user, so without it a command could ptrace (or
 * process_vm_writev into) a sibling, say the test runner or bwrap's own init, and act as it.
 * pidfd_getfd takes a copy of another process's file descriptor under the same ptrace permission
 * check, so it is ptrace by another name. Everything else is allowed: calls such as bpf, kexec_load or
 * init_module need capabilities the sandbox does not have, and listing them here would add nothing.
 * The price: debuggers, strace and LeakSanitizer (which ptraces its own process) do not work inside.
 */
export const DENIED_SYSCALLS = ["ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd"] as const;
export type DeniedSyscall = (typeof DENIED_SYSCALLS)[number];

export type SeccompArch = "x86_64" | "aarch64";

/** AUDIT_ARCH_* (linux/audit.h) and the syscall numbers of the denied calls on each architecture. */
const ARCHES: Record<SeccompArch, { audit: number; numbers: Record<DeniedSyscall, number> }> = {
  x86_64: { audit: 0xc000003e, numbers: { ptrace: 101, process_vm_readv: 310, process_vm_writev: 311, pidfd_getfd: 438 } },
  aarch64: { audit: 0xc00000b7, numbers: { ptrace: 117, process_vm_readv: 270, process_vm_writev: 271, pidfd_getfd: 438 } },
};

/** x32 system calls arrive with the x86_64 arch and this bit set in the number, under numbers of their own. */
const X32_SYSCALL_BIT = 0x40000000;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const EPERM = 1;

// Classic BPF opcodes (linux/filter.h) and the offsets in struct seccomp_data.
export const BPF_LD_W_ABS = 0x20;
export const BPF_JMP_JEQ_K = 0x15;
export const BPF_JMP_JGE_K = 0x35;
export const BPF_RET_K = 0x06;
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;

/** One `struct sock_filter`; `jt`/`jf` name a label until `assemble` turns them into offsets. */
type Insn = { code: number; k: number; jt?: Label; jf?: Label };
type Label = "allow" | "deny" | "kill";

/** The architecture bwrap's commands run as here, or null where no filter is defined (then none is installed). */
export function nativeSeccompArch(arch: string = process.arch): SeccompArch | null {
  if (arch === "x64") return "x86_64";
  if (arch === "arm64") return "aarch64";
  return null;
}

/**
 * The program as bwrap reads it: `struct sock_filter` entries (u16 code, u8 jt, u8 jf, u32 k) in the
 * machine's byte order. A call made under another ABI (i386 via int 0x80, x32) kills the process:
 * those ABIs number their calls differently, so this list would not cover them.
 */
export function seccompFilter(arch: SeccompArch): Uint8Array {
  const { audit, numbers } = ARCHES[arch];
  const program: Insn[] = [
    { code: BPF_LD_W_ABS, k: OFFSET_ARCH },
    { code: BPF_JMP_JEQ_K, k: audit, jf: "kill" },
    { code: BPF_LD_W_ABS, k: OFFSET_NR },
    ...(arch === "x86_64" ? [{ code: BPF_JMP_JGE_K, k: X32_SYSCALL_BIT, jt: "kill" as const }] : []),
    ...DENIED_SYSCALLS.map((name) => ({ code: BPF_JMP_JEQ_K, k: numbers[name], jt: "deny" as const })),
  ];
  return assemble(program, {
    allow: { code: BPF_RET_K, k: SECCOMP_RET_ALLOW },
    deny: { code: BPF_RET_K, k: SECCOMP_RET_ERRNO | EPERM },
    kill: { code: BPF_RET_K, k: SECCOMP_RET_KILL_PROCESS },
  });
}

/** The syscall number of a denied call (for tests and messages). */
export function syscallNumber(arch: SeccompArch, name: DeniedSyscall): number {
  return ARCHES[arch].numbers[name];
}

export function auditArch(arch: SeccompArch): number {
  return ARCHES[arch].audit;
}

/** `body` falls through to the first return (allow); labels jump forward to the returns after it. */
function assemble(body: Insn[], returns: Record<Label, Insn>): Uint8Array {
  const order: Label[] = ["allow", "deny", "kill"];
  const at = (label: Label) => body.length + order.indexOf(label);
  const all = [...body, ...order.map((label) => returns[label])];
  const bytes = new Uint8Array(all.length * 8);
  const view = new DataView(bytes.buffer);
  const little = endianness() === "LE";
  all.forEach((insn, i) => {
    const offset = (label: Label | undefined) => (label === undefined ? 0 : at(label) - (i + 1));
    view.setUint16(i * 8, insn.code, little);
    view.setUint8(i * 8 + 2, offset(insn.jt));
    view.setUint8(i * 8 + 3, offset(insn.jf));
    view.setUint32(i * 8 + 4, insn.k >>> 0, little);
  });
  return bytes;
}
