// Types and constants of the CBLAS interface. Lore does not link a BLAS at build time:
// LoreBLAS opens one at run time (so that it can choose OpenBLAS's kernel
// before the library initialises) and calls it through function pointers.
#include <cblas.h>
