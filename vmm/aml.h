/*
 * vmm/aml.h: a small encoder for ACPI Machine Language (ACPI 6.x, 20.2),
 * enough to write the static DSDT of a plx-vm guest (see acpi.h).
 *
 * A struct aml is a growing byte buffer; every aml_*() call appends the
 * encoding of one thing to it, so a table body reads like the ASL it
 * stands for:
 *
 *     size_t dev = aml_device_open(&a, "PCI0");
 *     aml_name(&a, "_HID");
 *     aml_eisaid(&a, "PNP0A03");
 *     ...
 *     aml_close(&a, dev);
 *
 * Objects whose encoding starts with a PkgLength (Scope, Device,
 * Package) are opened and closed: aml_*_open() appends the opcode and
 * returns a mark, the caller appends the object's contents, and
 * aml_close() inserts the PkgLength at the mark in its shortest form
 * (1 to 4 bytes, counting itself).  Opens nest; each must be closed, the
 * innermost first.  A Buffer's size is a term that precedes its bytes,
 * so buffers are appended whole (aml_buffer(), aml_resource_template()).
 *
 * Resource descriptors (ACPI 6.x, 6.4) are appended to a struct aml of
 * their own, which aml_resource_template() then wraps, with an end tag,
 * in a Buffer.
 *
 * Everything passed in comes from the VMM's own code, not from the
 * guest: a malformed name or a nesting error is a bug and asserts.
 */
#ifndef VMM_AML_H
#define VMM_AML_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
    uint8_t *data;
    size_t size;
    size_t allocated;
};

void aml_init(struct aml *);
void aml_uninit(struct aml *);

/* Raw bytes (opcodes this module has no helper for). */
void aml_put_bytes(struct aml *, const void *, size_t);

/* NameString: PATH is ASL notation, e.g. "\\_SB.PCI0", "^FOO" or "_HID";
 * segments shorter than 4 characters are padded with '_'. */
void aml_name_string(struct aml *, const char *path);

/* Data objects. */
void aml_integer(struct aml *, uint64_t);   /* Shortest encoding. */
void aml_string(struct aml *, const char *);
void aml_eisaid(struct aml *, const char *id); /* "PNP0A03". */
void aml_buffer(struct aml *, const void *, size_t);

/* Name (NAME, <the data object appended next>). */
void aml_name(struct aml *, const char *name);

/* Objects with a PkgLength.  N_ELEMENTS must be at most 255 and must be
 * the number of data objects appended before aml_close(). */
size_t aml_scope_open(struct aml *, const char *path);
size_t aml_device_open(struct aml *, const char *name);
size_t aml_package_open(struct aml *, unsigned int n_elements);
void aml_close(struct aml *, size_t mark);

/* Encodes LENGTH (the size of what follows the PkgLength, the PkgLength
 * not included) as a PkgLength into BUF[4].  Returns its size, 1 to 4,
 * or 0 if LENGTH cannot be encoded. */
size_t aml_encode_pkglength(size_t length, uint8_t buf[4]);

/* The 32-bit EISA id value of ID (3 uppercase letters, 4 hex digits), as
 * an AML Integer holds it; asserts on a malformed ID. */
uint32_t aml_eisaid_value(const char *id);

/* Resource descriptors, appended to RES.  Address space descriptors are
 * producers with fixed minimum and maximum and positive decoding; their
 * length is MAX - MIN + 1. */
void aml_res_io(struct aml *res, uint16_t min, uint16_t max,
                uint8_t align, uint8_t length);     /* IO (Decode16). */
void aml_res_word_bus_number(struct aml *res, uint16_t min, uint16_t max);
void aml_res_word_io(struct aml *res, uint16_t min, uint16_t max);
void aml_res_dword_memory(struct aml *res, uint32_t min, uint32_t max,
                          bool cacheable);          /* ReadWrite. */

/* ResourceTemplate () { RES }: a Buffer holding RES and an end tag. */
void aml_resource_template(struct aml *, const struct aml *res);

#endif /* vmm/aml.h */
