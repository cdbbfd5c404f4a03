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
    CxfStatus status = cxf_convert(input, len, NULL, "cxf", NULL, 0, &output, &report, &error);
    memset(input, 0, len); /* the export holds secrets */
    free(input);
    if (status != CXF_OK) {
        fprintf(stderr, "cxf %s: conversion failed (%d): %s\n", cxf_version(), (int)status, error);
        cxf_string_free(error);
        return 1;
    }
    fprintf(stderr, "converted to %zu bytes of CXF\n", output.len);
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
