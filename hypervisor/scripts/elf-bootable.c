/*
 * elf-bootable.c - build tool: make the linked hypervisor loadable by GRUB's multiboot2 ELF loader.
 *
 * GRUB runs 32-bit code when it loads us and wants the ELF entry point
 * below 4 GiB *and* inside a segment's virtual range, while the hypervisor
 * is linked (virtual addresses, symbols) in the upper half.  The boot image
 * therefore describes each loadable segment by its physical address in
 * both p_vaddr and p_paddr; the entry point is already physical (start_phys).
 * The unmodified image stays next to it as parva-syms, for debuggers.
 *
 * Usage: elf-bootable IN OUT
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if ( !f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) )
        goto fail;
    buf = malloc(n ? n : 1);
    if ( !buf || fread(buf, 1, n, f) != (size_t)n )
        goto fail;
    fclose(f);
    *len = n;
    return buf;
 fail:
    perror(path);
    free(buf);
    if ( f )
        fclose(f);
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned char *img;
    size_t len;
    Elf64_Ehdr *eh;
    unsigned int i, loads = 0;
    FILE *out;

    if ( argc != 3 )
    {
        fprintf(stderr, "usage: %s IN OUT\n", argv[0]);
        return 2;
    }
    img = slurp(argv[1], &len);
    if ( !img )
        return 1;
    eh = (Elf64_Ehdr *)img;
    if ( len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
         eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
         eh->e_phoff > len || (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum )
    {
        fprintf(stderr, "%s: not an x86-64 ELF64 image with sane program headers\n", argv[1]);
        return 1;
    }
    for ( i = 0; i < eh->e_phnum; i++ )
    {
        Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff) + i;

        if ( ph->p_type != PT_LOAD )
            continue;
        if ( ph->p_paddr + ph->p_memsz > 0x100000000ULL )
        {
            fprintf(stderr, "%s: segment %u is not below 4 GiB\n", argv[1], i);
            return 1;
        }
        ph->p_vaddr = ph->p_paddr;
        if ( eh->e_entry >= ph->p_paddr && eh->e_entry < ph->p_paddr + ph->p_memsz )
            loads |= 1;
    }
    if ( !(loads & 1) )
    {
        fprintf(stderr, "%s: entry point %#lx is not the physical address of a loaded byte\n", argv[1],
                (unsigned long)eh->e_entry);
        return 1;
    }
    out = fopen(argv[2], "wb");
    if ( !out || fwrite(img, 1, len, out) != len || fclose(out) )
    {
        perror(argv[2]);
        return 1;
    }
    free(img);
    return 0;
}
