/* Converts an export to CXF with the cxf C API and prints the loss report.
 *
 *   cc -I cxf-ffi/include convert.c -L target/debug -lcxf_ffi -o convert
 *   ./convert passwords.csv > report.json        (the CXF document is wiped, not printed)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxf.h"

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
    *len = fread(buf, 1, (size_t)size, f);
    fclose(f);
    return buf;
}

/* Progress after each chunk of items: `context` is ours (a counter here). */
static void on_progress(uint64_t items, uint64_t total, void *context) {
    uint64_t *calls = context;
    *calls += 1;
    fprintf(stderr, "\r%llu/%llu items", (unsigned long long)items, (unsigned long long)total);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXPORT\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    unsigned char *input = read_file(argv[1], &len);
    if (!input) {
        perror(argv[1]);
        return 2;
    }
    CxfBytes output = {0};
    char *report = NULL;
    char *error = NULL;
    uint64_t chunks = 0;
    CxfStatus status = cxf_convert_with_progress(input, len, NULL, "cxf", NULL, 0, on_progress,
                                                 &chunks, &output, &report, &error);
    memset(input, 0, len); /* the export holds secrets */
    free(input);
    if (status != CXF_OK) {
        fprintf(stderr, "cxf %s: conversion failed (%d): %s\n", cxf_version(), (int)status, error);
        cxf_string_free(error);
        return 1;
    }
    fprintf(stderr, "\nconverted to %zu bytes of CXF (%llu progress calls)\n", output.len,
            (unsigned long long)chunks);
    printf("%s\n", report);
    cxf_string_free(report);
    cxf_bytes_free(output); /* wipes, then frees */

    /* Validation of a document that is not CXF: located diagnostics as JSON. */
    char *diagnostics = NULL;
    const char *bad = "{\"version\":";
    status = cxf_validate((const unsigned char *)bad, strlen(bad), &diagnostics);
    if (status != CXF_INVALID || strstr(diagnostics, "\"rule\":\"parse.") == NULL) {
        fprintf(stderr, "validate: unexpected %d %s\n", (int)status, diagnostics);
        return 1;
    }
    cxf_string_free(diagnostics);
    return 0;
}
