/* elf_check.c — see elf_check.h. */
#include "plugin/elf_check.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#if UINTPTR_MAX == 0xffffffffffffffffu
typedef Elf64_Ehdr ehdr_t;
typedef Elf64_Phdr phdr_t;
typedef Elf64_Nhdr nhdr_t;
#define ELF_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr ehdr_t;
typedef Elf32_Phdr phdr_t;
typedef Elf32_Nhdr nhdr_t;
#define ELF_CLASS ELFCLASS32
#endif

#if defined(__x86_64__)
#define ELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define ELF_MACHINE EM_AARCH64
#elif defined(__i386__)
#define ELF_MACHINE EM_386
#elif defined(__arm__)
#define ELF_MACHINE EM_ARM
#elif defined(__riscv)
#define ELF_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define ELF_MACHINE EM_PPC64
#elif defined(__s390x__)
#define ELF_MACHINE EM_S390
#endif

static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_386: return "i386";
    case EM_ARM: return "32-bit ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "s390x";
    case EM_MIPS: return "MIPS";
    default: return NULL;
    }
}

/* The GNU build-id in the note segment at [off, off + len), if there is one, as hex. */
static void read_build_id(FILE *f, uint64_t off, uint64_t len, struct elf_info *info)
{
    unsigned char buf[4096];
    if (len > sizeof buf)
        len = sizeof buf;
    if (fseeko(f, (off_t)off, SEEK_SET) != 0 || fread(buf, 1, (size_t)len, f) != len)
        return;
    /* Notes: a header, a name and a descriptor, each padded to 4 bytes. */
    for (uint64_t at = 0; at + sizeof(nhdr_t) <= len;) {
        nhdr_t nh;
        memcpy(&nh, buf + at, sizeof nh);
        uint64_t name_at = at + sizeof nh, desc_at = name_at + ((nh.n_namesz + 3u) & ~3u);
        if (desc_at > len || nh.n_descsz > len - desc_at)
            return;
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
            memcmp(buf + name_at, "GNU", 4) == 0 && nh.n_descsz > 0) {
            size_t n = nh.n_descsz < ELF_BUILD_ID_MAX ? nh.n_descsz : ELF_BUILD_ID_MAX;
            for (size_t i = 0; i < n; i++)
                snprintf(info->build_id + 2 * i, 3, "%02x", buf[desc_at + i]);
            return;
        }
        at = desc_at + ((nh.n_descsz + 3u) & ~3u);
    }
}

static int check(FILE *f, off_t size, struct elf_info *info, char *why, size_t n)
{
    ehdr_t eh;
    if (fread(&eh, sizeof eh, 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return snprintf(why, n, "not an ELF file"), -1;
#ifdef ELF_MACHINE
    if (eh.e_ident[EI_CLASS] == ELFCLASS32 || eh.e_ident[EI_CLASS] == ELFCLASS64) {
        /* e_machine sits at the same offset in both classes. */
        if (eh.e_machine != ELF_MACHINE || eh.e_ident[EI_CLASS] != ELF_CLASS) {
            const char *theirs = machine_name(eh.e_machine);
            if (theirs)
                return snprintf(why, n, "an ELF file for %s%s; this bhost runs %s plugins",
                                theirs, eh.e_ident[EI_CLASS] == ELFCLASS32 ? " (32-bit)" : "",
                                machine_name(ELF_MACHINE)), -1;
            return snprintf(why, n, "an ELF file for machine %u; this bhost runs %s plugins",
                            (unsigned)eh.e_machine, machine_name(ELF_MACHINE)), -1;
        }
    }
#endif
    if (eh.e_ident[EI_CLASS] != ELF_CLASS || eh.e_type != ET_DYN)
        return snprintf(why, n, "not a shared object for this machine"), -1;
    /* In uint64_t, each side checked against the size first: no sum can wrap. */
    uint64_t fsize = (uint64_t)size, table = (uint64_t)eh.e_phnum * sizeof(phdr_t);
    if (eh.e_phentsize != sizeof(phdr_t) || eh.e_phoff > fsize || table > fsize - eh.e_phoff)
        return snprintf(why, n, "truncated: its program headers lie past the end of the "
                        "file (%lld bytes)", (long long)size), -1;
    info->build_id[0] = '\0';
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        phdr_t ph;
        if (fseeko(f, (off_t)eh.e_phoff + (off_t)i * (off_t)sizeof ph, SEEK_SET) != 0 ||
            fread(&ph, sizeof ph, 1, f) != 1)
            return snprintf(why, n, "cannot read its program headers"), -1;
        int in_file = ph.p_offset <= fsize && ph.p_filesz <= fsize - ph.p_offset;
        if (ph.p_type == PT_LOAD && !in_file)
            return snprintf(why, n, "truncated: a segment needs %llu bytes, the file has %lld",
                            (unsigned long long)(ph.p_offset + ph.p_filesz),
                            (long long)size), -1;
        if (ph.p_type == PT_NOTE && in_file && !info->build_id[0])
            read_build_id(f, ph.p_offset, ph.p_filesz, info);
    }
    return 0;
}

int elf_check(const char *path, struct elf_info *info, char *why, size_t n)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) != 0) {
        snprintf(why, n, "cannot open it: %s", strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    int rc = check(f, st.st_size, info, why, n);
    fclose(f);
    return rc;
}
