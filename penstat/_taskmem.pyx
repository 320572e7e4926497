# cython: language_level=3
"""numpy's data allocator for a resampling task: large arrays in their own mappings.

A resampling task (a CV fold, a bootstrap replicate, a stability subsample) allocates
a few arrays of one value per row (weights, the response, the kernels' working
vectors) and frees them when its fit ends. glibc's malloc serves such arrays, from
128 KiB up to 32 MiB, from its heaps once a first one has been freed (its mmap
threshold rises to the size of the freed block), and keeps what they free in the
arena of the thread that freed them: with two tasks in threads, the freed vectors of
both stay in the process until ``malloc_trim``, about 0.15 X to 0.36 X above the
live data in the benchmark (docs/developer/performance.md).

While a task on large data runs (``run_tasks(..., mapped=True)``, from 64 MiB of
design), :func:`penstat._runner.run_tasks` makes this module's handler numpy's
allocator for the task's thread (``PyDataMem_SetHandler``, NEP 49: the handler is a
context variable, so other threads and the rest of the program keep theirs, and the
process's malloc settings are untouched). It maps every array of at least 128 KiB
(glibc's own initial threshold) with ``mmap`` and unmaps it when numpy frees it, so
a freed vector goes back to the system at once; smaller arrays use malloc. Each
block starts with a 64-byte header (its size and how it was obtained), so freeing
never depends on the size numpy passes. An array keeps the handler that allocated
it, so arrays a task returns are freed correctly after the task.
"""

cimport numpy as cnp

cnp.import_array()

cdef extern from *:
    """
    #include <numpy/arrayobject.h>
    #include <sys/mman.h>
    #include <stdlib.h>
    #include <string.h>

    #define PENSTAT_HEADER 64
    #define PENSTAT_KIND_MALLOC 0x6d616c6cUL
    #define PENSTAT_KIND_MAPPED 0x6d6d6170UL

    static size_t penstat_map_threshold = 131072;

    typedef struct { size_t total; size_t kind; } penstat_head;

    static void *penstat_block(size_t size, int zero) {
        size_t total = size + PENSTAT_HEADER;
        char *base;
        size_t kind;
        if (total < size)
            return NULL;
        if (total >= penstat_map_threshold) {
            base = (char *)mmap(NULL, total, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (base == (char *)MAP_FAILED)
                return NULL;
            kind = PENSTAT_KIND_MAPPED;  /* fresh pages read as zeros */
        } else {
            base = (char *)(zero ? calloc(1, total) : malloc(total));
            if (base == NULL)
                return NULL;
            kind = PENSTAT_KIND_MALLOC;
        }
        ((penstat_head *)base)->total = total;
        ((penstat_head *)base)->kind = kind;
        return base + PENSTAT_HEADER;
    }

    static void *penstat_malloc(void *ctx, size_t size) {
        (void)ctx;
        return penstat_block(size, 0);
    }

    static void *penstat_calloc(void *ctx, size_t nelem, size_t elsize) {
        size_t size = nelem * elsize;
        (void)ctx;
        if (elsize != 0 && size / elsize != nelem)
            return NULL;
        return penstat_block(size, 1);
    }

    static void penstat_free(void *ctx, void *ptr, size_t size) {
        char *base;
        (void)ctx;
        (void)size;
        if (ptr == NULL)
            return;
        base = (char *)ptr - PENSTAT_HEADER;
        if (((penstat_head *)base)->kind == PENSTAT_KIND_MAPPED)
            munmap(base, ((penstat_head *)base)->total);
        else
            free(base);
    }

    static void *penstat_realloc(void *ctx, void *ptr, size_t new_size) {
        char *base, *grown;
        void *fresh;
        size_t old, total = new_size + PENSTAT_HEADER;
        if (ptr == NULL)
            return penstat_block(new_size, 0);
        base = (char *)ptr - PENSTAT_HEADER;
        if (((penstat_head *)base)->kind == PENSTAT_KIND_MALLOC
                && total >= new_size && total < penstat_map_threshold) {
            grown = (char *)realloc(base, total);
            if (grown == NULL)
                return NULL;
            ((penstat_head *)grown)->total = total;
            return grown + PENSTAT_HEADER;
        }
        fresh = penstat_block(new_size, 0);
        if (fresh == NULL)
            return NULL;
        old = ((penstat_head *)base)->total - PENSTAT_HEADER;
        memcpy(fresh, ptr, old < new_size ? old : new_size);
        penstat_free(ctx, ptr, old);
        return fresh;
    }

    static PyDataMem_Handler penstat_handler = {
        "penstat_task_mmap",
        1,
        {NULL, penstat_malloc, penstat_calloc, penstat_realloc, penstat_free},
    };

    static PyObject *penstat_handler_capsule(void) {
        return PyCapsule_New(&penstat_handler, "mem_handler", NULL);
    }

    static PyObject *penstat_set_handler(PyObject *handler) {
        return PyDataMem_SetHandler(handler);
    }
    """
    object penstat_handler_capsule()
    object penstat_set_handler(object handler)
    size_t penstat_map_threshold

__all__ = ["NAME", "THRESHOLD", "restore", "use"]

NAME = "penstat_task_mmap"
THRESHOLD = penstat_map_threshold

_handler = penstat_handler_capsule()


def use() -> object:
    """Make the mapping allocator numpy's allocator in the current context; return
    the handler it replaces (for :func:`restore`).

    Examples
    --------
    >>> import numpy as np
    >>> previous = use()
    >>> rows = np.ones(1 << 17)  # 1 MiB: a mapping of its own
    >>> restore(previous)
    >>> float(rows.sum())  # it outlives the block, and is unmapped when freed
    131072.0
    """
    return penstat_set_handler(_handler)


def restore(previous: object) -> None:
    """Give the current context back the handler ``previous`` (from :func:`use`).

    Examples
    --------
    >>> import numpy as np
    >>> previous = use()
    >>> restore(previous)
    >>> float(np.ones(1 << 17).sum())  # numpy's own allocator again
    131072.0
    """
    penstat_set_handler(previous)
