import { dlopen, FFIType } from "bun:ffi";

/** The few C library calls identity needs; loaded on first use (see server-lock.ts for flock). */
export interface Libc {
  getsockopt: (fd: number, level: number, name: number, value: NodeJS.TypedArray, length: NodeJS.TypedArray) => number;
  getpwuid: (uid: number) => number | null;
  getgrnam: (name: Uint8Array) => number | null;
}

let libc: Libc | null = null;

export function loadLibc(): Libc {
  if (libc) return libc;
  const name = process.platform === "darwin" ? "libc.dylib" : "libc.so.6";
  const { symbols } = dlopen(name, {
    getsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    getpwuid: { args: [FFIType.u32], returns: FFIType.ptr },
    getgrnam: { args: [FFIType.ptr], returns: FFIType.ptr },
  });
  libc = symbols as unknown as Libc;
  return libc;
}
