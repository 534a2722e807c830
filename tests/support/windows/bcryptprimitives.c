/*
 * Test support only, never shipped: Debian's Wine 8 has no ProcessPrng in
 * bcryptprimitives.dll, which Rust's standard library calls for randomness (HashMap keys,
 * temporary names). This stand-in forwards to RtlGenRandom (SystemFunction036 in advapi32).
 * tests/support/windows/runner builds it with MinGW-w64 and puts it beside the test
 * executables and hikeshi.exe, where Windows' DLL search finds it first.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
