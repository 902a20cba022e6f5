#include <config.h>
#include "heap.h"

#include <stdlib.h>

void
heap_init(struct heap *heap)
{
    heap->array = NULL;
    heap->n = 0;
    heap->allocated = 0;
}

/* Frees HEAP's array; the nodes belong to the caller. */
void
heap_destroy(struct heap *heap)
{
    if (heap) {
        free(heap->array);
        heap_init(heap);
    }
}

/* Removes every node, keeping the array for reuse. */
void
heap_clear(struct heap *heap)
{
    for (size_t i = 1; i <= heap->n; i++) {
        heap->array[i]->idx = 0;
    }
    heap->n = 0;
}

void
heap_swap(struct heap *a, struct heap *b)
{
    struct heap tmp = *a;
    *a = *b;
    *b = tmp;
}

static void
put_node(struct heap *heap, struct heap_node *node, size_t i)
{
    heap->array[i] = node;
    node->idx = i;
}

/* Moves NODE up toward the root while it outranks its parent. */
static void
float_up(struct heap *heap, struct heap_node *node)
{
    size_t i = node->idx;
    while (i > 1) {
        struct heap_node *parent = heap->array[i / 2];
        if (parent->priority >= node->priority) {
            break;
        }
        put_node(heap, parent, i);
        i /= 2;
    }
    put_node(heap, node, i);
}

/* Moves NODE down while a child outranks it. */
static void
float_down(struct heap *heap, struct heap_node *node)
{
    size_t i = node->idx;
    for (;;) {
        size_t child = i * 2;
        if (child > heap->n) {
            break;
        }
        if (child < heap->n
            && heap->array[child + 1]->priority
               > heap->array[child]->priority) {
            child++;
        }
        if (heap->array[child]->priority <= node->priority) {
            break;
        }
        put_node(heap, heap->array[child], i);
        i = child;
    }
    put_node(heap, node, i);
}

/* Restores the order around NODE after its priority changed. */
static void
float_up_or_down(struct heap *heap, struct heap_node *node)
{
    size_t i = node->idx;
    if (i > 1 && heap->array[i / 2]->priority < node->priority) {
        float_up(heap, node);
    } else {
        float_down(heap, node);
    }
}

void
heap_raw_insert(struct heap *heap, struct heap_node *node,
                long long priority)
{
    /* Index n + 1 must exist (index 0 is unused, hence the loop: the
     * first growth, from 0 to 1 slot, is not enough). */
    while (heap->n + 1 >= heap->allocated) {
        heap->array = x2nrealloc(heap->array, &heap->allocated,
                                 sizeof *heap->array);
    }
    heap->n++;
    node->priority = priority;
    put_node(heap, node, heap->n);
}

void
heap_insert(struct heap *heap, struct heap_node *node, long long priority)
{
    heap_raw_insert(heap, node, priority);
    float_up(heap, node);
}

/* Gives NODE, which must be in HEAP, a new PRIORITY. */
void
heap_change(struct heap *heap, struct heap_node *node, long long priority)
{
    plx_assert(heap_contains(heap, node));
    node->priority = priority;
    float_up_or_down(heap, node);
}

/* Removes NODE, which must be in HEAP, and sets its 'idx' to 0. */
void
heap_remove(struct heap *heap, struct heap_node *node)
{
    plx_assert(heap_contains(heap, node));

    size_t i = node->idx;
    struct heap_node *last = heap->array[heap->n--];
    if (i <= heap->n) {
        /* The last node fills the hole and moves whichever way it must. */
        put_node(heap, last, i);
        float_up_or_down(heap, last);
    }
    node->idx = 0;
}

/* Removes and returns the node with the largest priority; HEAP must not
 * be empty. */
struct heap_node *
heap_pop(struct heap *heap)
{
    struct heap_node *max = heap_max(heap);
    heap_remove(heap, max);
    return max;
}

/* Restores the heap order after heap_raw_insert() calls, in O(n). */
void
heap_rebuild(struct heap *heap)
{
    for (size_t i = heap->n / 2; i >= 1; i--) {
        float_down(heap, heap->array[i]);
    }
}
