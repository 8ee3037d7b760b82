// SPDX-License-Identifier: Apache-2.0
/* The floor of the benchmarks: connect to Redis, send one PING, exit. rbarrier cannot cost less
 * than starting a process that does this much. Usage: floor HOST PORT */
#include <hiredis/hiredis.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) return 64;
    redisContext *c = redisConnect(argv[1], atoi(argv[2]));
    if (c == NULL || c->err) return 69;
    redisReply *r = redisCommand(c, "PING");
    int ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    return ok ? 0 : 1;
}
