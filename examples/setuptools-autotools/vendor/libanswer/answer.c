#include "answer_config.h"
#include "answer.h"

const char *answer_host(void) { return ANSWER_HOST; }
int answer_sizeof_long(void) { return SIZEOF_LONG; }
#ifdef WORDS_BIGENDIAN
int answer_big_endian(void) { return 1; }
#else
int answer_big_endian(void) { return 0; }
#endif
#ifdef HAVE_DEV_URANDOM
int answer_has_urandom(void) { return 1; }
#else
int answer_has_urandom(void) { return 0; }
#endif
int answer_value(void) { return (int)sizeof(long) * 10 + 2; }
