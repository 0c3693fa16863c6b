#ifndef ANSWER_H
#define ANSWER_H
const char *answer_host(void);
int answer_sizeof_long(void);
int answer_big_endian(void);
int answer_has_urandom(void);
int answer_value(void);
#endif
