// SPDX-License-Identifier: Apache-2.0
/* The practical floor for many parties: the least a one-shot barrier party can do. Subscribe,
 * INCR the counter; the party that brings it to N publishes, every other one reads one message.
 * No ids, leases, generations or timeouts. Usage: party HOST PORT NAME N */
#include <hiredis/hiredis.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 5) return 64;
    const char *name = argv[3];
    long long parties = atoll(argv[4]);
    redisContext *sub = redisConnect(argv[1], atoi(argv[2]));
    redisContext *c = redisConnect(argv[1], atoi(argv[2]));
    if (sub == NULL || sub->err || c == NULL || c->err) return 69;
    redisReply *r = redisCommand(sub, "SUBSCRIBE %s:channel", name);
    if (r == NULL) return 1;
    r = redisCommand(c, "INCR %s:count", name);
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) return 1;
    if (r->integer >= parties) {
        r = redisCommand(c, "PUBLISH %s:channel go", name);
        return r == NULL ? 1 : 0;
    }
    void *message = NULL;
    return redisGetReply(sub, &message) == REDIS_OK ? 0 : 1;
}
