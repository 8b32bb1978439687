/* The connection driver (include/smtpp/conn.h). */
#include "internal.h"

#include <string.h>
