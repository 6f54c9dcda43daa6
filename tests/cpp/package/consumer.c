/* Links the installed library with the flags pkg-config gives. */
#include <stdio.h>
#include <string.h>

#include <nowgg_payments.h>

int main(void) {
    printf("nowgg_payments %s linked with pkg-config\n", nowgg_version());
    return strcmp(nowgg_version(), NOWGG_PAYMENTS_VERSION) == 0 && nowgg_is_nowgg_token("-nowgg-x") ? 0 : 1;
}
