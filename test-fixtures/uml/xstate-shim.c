/*
 * LD_PRELOAD shim for Debian's User-Mode Linux 6.1 on hosts with AVX-512 or AMX.
 *
 * UML keeps each guest thread's FPU state in a fixed 832-byte buffer (legacy area, XSAVE header,
 * AVX) and moves it with PTRACE_GETREGSET/SETREGSET(NT_X86_XSTATE). Current host kernels refuse a
 * SETREGSET that is not the whole XSAVE image (EFAULT), so on such a CPU the guest's init dies at
 * its first context switch ("ptrace set fp regs failed, errno = 14").
 *
 * The shim keeps, per UML buffer address (one per guest thread), a full-size image next to it:
 * GETREGSET fills the image and hands UML its first bytes; SETREGSET lays UML's (possibly edited)
 * bytes over the image and restores all of it. Every guest thread thus keeps its whole register
 * state, AVX-512 included. Where the host's image is no bigger than UML's buffer it changes nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

#define SLOTS 65536 /* open addressing; UML reuses thread buffers, so addresses stay few */
#define MAX_IMAGE (64 * 1024)

static long (*real_ptrace)(enum __ptrace_request, pid_t, void *, void *);
static size_t image_size; /* the host's NT_X86_XSTATE size, learnt from the first GETREGSET */
static void *keys[SLOTS];
static unsigned char *images[SLOTS];

static unsigned char **slot(void *key, int create) {
    uintptr_t h = ((uintptr_t) key >> 4) * 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < SLOTS; i++) {
        size_t s = (h + i) & (SLOTS - 1);
        if (keys[s] == key) return &images[s];
        if (keys[s] == NULL) {
            if (!create) return NULL;
            keys[s] = key;
            return &images[s];
        }
    }
    return NULL;
}

static long raw(enum __ptrace_request req, pid_t pid, void *addr, void *data) {
    if (!real_ptrace) real_ptrace = (long (*)(enum __ptrace_request, pid_t, void *, void *)) dlsym(RTLD_NEXT, "ptrace");
    return real_ptrace(req, pid, addr, data);
}

/* A full image of pid's state into a fresh or existing buffer; the host size is learnt here. */
static long get_full(pid_t pid, unsigned char *into) {
    struct iovec iov = { into, image_size ? image_size : MAX_IMAGE };
    long r = raw(PTRACE_GETREGSET, pid, (void *) (uintptr_t) NT_X86_XSTATE, &iov);
    if (r == 0 && !image_size) image_size = iov.iov_len;
    return r;
}

long ptrace(enum __ptrace_request req, ...) {
    va_list ap;
    va_start(ap, req);
    pid_t pid = va_arg(ap, pid_t);
    void *addr = va_arg(ap, void *);
    void *data = va_arg(ap, void *);
    va_end(ap);
    if ((req != PTRACE_GETREGSET && req != PTRACE_SETREGSET) || (uintptr_t) addr != NT_X86_XSTATE || data == NULL)
        return raw(req, pid, addr, data);
    struct iovec *uml = data;
    if (image_size && uml->iov_len >= image_size) return raw(req, pid, addr, data);
    unsigned char **img = slot(uml->iov_base, 1);
    if (img == NULL) { errno = ENOMEM; return -1; }
    if (*img == NULL && (*img = calloc(1, MAX_IMAGE)) == NULL) { errno = ENOMEM; return -1; }
    if (req == PTRACE_GETREGSET) {
        long r = get_full(pid, *img);
        if (r != 0) return r;
        size_t n = uml->iov_len < image_size ? uml->iov_len : image_size;
        memcpy(uml->iov_base, *img, n);
        uml->iov_len = n;
        return 0;
    }
    if (!image_size) { /* a set before any get: learn the size from the live state first */
        long r = get_full(pid, *img);
        if (r != 0) return r;
    }
    memcpy(*img, uml->iov_base, uml->iov_len);
    struct iovec full = { *img, image_size };
    return raw(PTRACE_SETREGSET, pid, addr, &full);
}
