/* Error numbers returned by Keel functions (negated): the guest ABI's values, one list for both. */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#include <public/errno.h>

#endif
