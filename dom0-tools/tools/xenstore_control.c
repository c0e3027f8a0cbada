/*
 * xenstore_control.c - xenstore-control: send one CONTROL command (with its arguments)
 * to xenstored and print the answer.  Exit status as Xen's tool: 0 done, 1 no daemon,
 * 2 usage, 3 the command failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xenstore.h"

int main(int argc, char **argv)
{
    struct xs_handle *h;
    char *par = NULL, *ret;
    unsigned int len = 0;
    int p, rc = 0;

    if (argc < 2) {
        fprintf(stderr, "Usage:\n%s <command> [<arg>...]\n", argv[0]);
        return 2;
    }
    for (p = 2; p < argc; p++)
        len += strlen(argv[p]) + 1;
    if (len) {
        par = malloc(len);
        if (!par) {
            fprintf(stderr, "Allocation error.\n");
            return 1;
        }
        len = 0;
        for (p = 2; p < argc; p++) {
            memcpy(par + len, argv[p], strlen(argv[p]) + 1);
            len += strlen(argv[p]) + 1;
        }
    }
    h = xs_open(0);
    if (!h) {
        fprintf(stderr, "Failed to contact Xenstored.\n");
        free(par);
        return 1;
    }
    ret = xs_control_command(h, argv[1], par, len);
    if (!ret) {
        rc = 3;
        if (errno == EINVAL) {
            ret = xs_control_command(h, "help", NULL, 0);
            if (ret)
                fprintf(stderr, "Command not supported. Valid commands are:\n%s\n", ret);
            else
                fprintf(stderr, "Error when executing command.\n");
        } else {
            fprintf(stderr, "Error %d when trying to execute command.\n", errno);
        }
    } else if (strlen(ret) > 0) {
        printf("%s\n", ret);
    }
    free(ret);
    free(par);
    xs_close(h);
    return rc;
}
