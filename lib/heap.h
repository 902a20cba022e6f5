/*
 * heap: a binary max-heap of intrusive nodes with 64-bit priorities.
 *
 * An element embeds a struct heap_node and is filed under a signed 64-bit
 * priority; heap_max() is the node with the largest priority (ties in no
 * particular order).  For "earliest deadline first" (timers, flow
 * expiry) file each element under the negated time: times are
 * nonnegative, so the negation never overflows.
 *
 * Layout: 'array' holds the nodes in the usual implicit binary tree,
 * 1-based, so that node i's children are 2i and 2i + 1 and its parent is
 * i / 2.  Invariants: for 1 <= i <= n, array[i]->idx == i (a node knows
 * where it sits, which is what makes heap_change() and heap_remove() of
 * an arbitrary node O(log n) with no search), and no node has a larger
 * priority than its parent.  array[0] is unused.
 *
 * heap_raw_insert() appends without restoring the order, for building a
 * heap in bulk; heap_rebuild() then restores it in O(n).  Until then,
 * only heap_count(), heap_is_empty(), HEAP_FOR_EACH and more raw
 * insertions are allowed.
 *
 * Not thread-safe.
 */
#ifndef PLX_HEAP_H
#define PLX_HEAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct heap_node {
    size_t idx;                 /* Position in the heap's array (1-based). */
    long long priority;         /* Larger priorities come out first. */
};

struct heap {
    struct heap_node **array;   /* array[1..n] hold the nodes. */
    size_t n;                   /* Number of nodes. */
    size_t allocated;           /* array has room for indexes < this. */
};

#define HEAP_INITIALIZER(HEAP) { NULL, 0, 0 }

void heap_init(struct heap *);
void heap_destroy(struct heap *);
void heap_clear(struct heap *);
void heap_swap(struct heap *, struct heap *);

static inline size_t heap_count(const struct heap *heap) { return heap->n; }
static inline bool heap_is_empty(const struct heap *heap)
{
    return heap->n == 0;
}

void heap_insert(struct heap *, struct heap_node *, long long priority);
void heap_change(struct heap *, struct heap_node *, long long priority);
void heap_remove(struct heap *, struct heap_node *);
struct heap_node *heap_pop(struct heap *);

void heap_raw_insert(struct heap *, struct heap_node *, long long priority);
void heap_rebuild(struct heap *);

/* The node with the largest priority; HEAP must not be empty. */
static inline struct heap_node *
heap_max(const struct heap *heap)
{
    plx_assert(heap->n > 0);
    return heap->array[1];
}

/* True if NODE is in HEAP.  NODE's 'idx' must have been set by some heap
 * operation (heap_remove() and heap_pop() set it to 0) or by the caller
 * to 0, so that a node that never was in a heap reads as absent. */
static inline bool
heap_contains(const struct heap *heap, const struct heap_node *node)
{
    return node->idx >= 1 && node->idx <= heap->n
           && heap->array[node->idx] == node;
}

/* Visits every node in array order (not priority order).  The body must
 * not change HEAP. */
#define HEAP_FOR_EACH(NODE, MEMBER, HEAP)                                 \
    for (size_t NODE##__i = 1;                                            \
         NODE##__i <= (HEAP)->n                                           \
         ? (ASSIGN_CONTAINER(NODE, (HEAP)->array[NODE##__i], MEMBER), 1)  \
         : 0;                                                             \
         NODE##__i++)

/* Removes every node in decreasing priority order, NODE set to each. */
#define HEAP_FOR_EACH_POP(NODE, MEMBER, HEAP)                             \
    for (struct heap_node *NODE##__;                                      \
         !heap_is_empty(HEAP)                                             \
         ? (NODE##__ = heap_pop(HEAP),                                    \
            ASSIGN_CONTAINER(NODE, NODE##__, MEMBER), 1) : 0;)

#endif /* heap.h */
