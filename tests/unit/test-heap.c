/* Tests for lib/heap: a randomized heap always agrees with a reference
 * multiset of priorities, through inserts, pops, and changes and removals
 * of arbitrary nodes. */
#include <config.h>
#include "heap.h"

#include <limits.h>
#include "test.h"

struct element {
    int id;
    bool in_heap;
    struct heap_node heap_node;
};

/* Checks the structural invariants: every node knows its index, no node
 * outranks its parent, and exactly the elements marked in_heap are in. */
static void
check_heap(const struct heap *heap, const struct element *elems, size_t n)
{
    size_t in = 0;

    for (size_t i = 1; i <= heap->n; i++) {
        CHECK_EQ(heap->array[i]->idx, i);
        if (i > 1) {
            CHECK_GE(heap->array[i / 2]->priority, heap->array[i]->priority);
        }
    }
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(heap_contains(heap, &elems[i].heap_node), elems[i].in_heap);
        in += elems[i].in_heap;
    }
    CHECK_EQ(heap_count(heap), in);
    CHECK_EQ(heap_is_empty(heap), in == 0);
}

/* The largest priority among the elements in the heap (the reference). */
static long long
reference_max(const struct element *elems, size_t n)
{
    long long max = LLONG_MIN;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (elems[i].in_heap && (!any || elems[i].heap_node.priority > max)) {
            max = elems[i].heap_node.priority;
            any = true;
        }
    }
    CHECK(any);
    return max;
}

static long long
random_priority(void)
{
    switch (test_random() % 4) {
    case 0:
        return (long long) test_random64();     /* Full range, negative too. */
    case 1:
        return test_random() % 16;              /* Many ties. */
    case 2:
        return test_random() % 2 ? LLONG_MAX : LLONG_MIN;
    default:
        return (long long) (test_random() % 2001) - 1000;
    }
}

TEST(empty)
{
    struct heap heap = HEAP_INITIALIZER(&heap);
    struct element e = { .id = 1 };

    CHECK(heap_is_empty(&heap));
    CHECK_EQ(heap_count(&heap), 0);
    e.heap_node.idx = 0;
    CHECK(!heap_contains(&heap, &e.heap_node));

    heap_insert(&heap, &e.heap_node, 5);
    CHECK(heap_max(&heap) == &e.heap_node);
    CHECK(heap_pop(&heap) == &e.heap_node);
    CHECK(!heap_contains(&heap, &e.heap_node));
    CHECK(heap_is_empty(&heap));
    heap_destroy(&heap);
    heap_destroy(NULL);
}

/* Sorting by popping: decreasing order, every element exactly once. */
TEST(heapsort)
{
    enum { N = 3000 };
    struct element *elems = xcalloc(N, sizeof *elems);
    struct heap heap;

    heap_init(&heap);
    for (int i = 0; i < N; i++) {
        elems[i].id = i;
        heap_insert(&heap, &elems[i].heap_node, random_priority());
    }
    long long last = LLONG_MAX;
    int *seen = xcalloc(N, sizeof *seen);
    size_t popped = 0;
    struct element *e;
    HEAP_FOR_EACH_POP (e, heap_node, &heap) {
        CHECK_LE(e->heap_node.priority, last);
        last = e->heap_node.priority;
        CHECK_EQ(seen[e->id], 0);
        seen[e->id] = 1;
        popped++;
    }
    CHECK_EQ(popped, N);
    CHECK(heap_is_empty(&heap));
    heap_destroy(&heap);
    free(seen);
    free(elems);
}

/* Random operations, checked after each against the reference. */
TEST(randomized_against_reference)
{
    enum { N = 400, OPS = 20000 };
    struct element *elems = xcalloc(N, sizeof *elems);
    struct heap heap;

    heap_init(&heap);
    for (int i = 0; i < N; i++) {
        elems[i].id = i;
        elems[i].heap_node.idx = 0;
    }
    for (int op = 0; op < OPS; op++) {
        struct element *e = &elems[test_random() % N];
        switch (test_random() % 5) {
        case 0:
        case 1:
            if (!e->in_heap) {
                heap_insert(&heap, &e->heap_node, random_priority());
                e->in_heap = true;
            } else {
                heap_change(&heap, &e->heap_node, random_priority());
            }
            break;
        case 2:
            if (e->in_heap) {
                heap_remove(&heap, &e->heap_node);
                e->in_heap = false;
            }
            break;
        case 3:
            if (e->in_heap) {
                /* Raise or lower by a little: exercises both directions
                 * of heap_change() near the node's current place. */
                long long p = e->heap_node.priority;
                long long delta = (long long) (test_random() % 5) - 2;
                if ((delta > 0 && p <= LLONG_MAX - delta)
                    || (delta < 0 && p >= LLONG_MIN - delta)) {
                    p += delta;
                }
                heap_change(&heap, &e->heap_node, p);
            }
            break;
        default:
            if (!heap_is_empty(&heap)) {
                long long max = reference_max(elems, N);
                CHECK_EQ(heap_max(&heap)->priority, max);
                struct heap_node *node = heap_pop(&heap);
                CHECK_EQ(node->priority, max);
                CONTAINER_OF(node, struct element, heap_node)->in_heap
                    = false;
            }
            break;
        }
        if (op % 97 == 0 || heap_count(&heap) < 8) {
            check_heap(&heap, elems, N);
        }
        if (!heap_is_empty(&heap)) {
            CHECK_EQ(heap_max(&heap)->priority, reference_max(elems, N));
        }
    }
    check_heap(&heap, elems, N);
    heap_destroy(&heap);
    free(elems);
}

/* Removing the last array slot, the root, and a middle node whose
 * replacement must move up rather than down. */
TEST(remove_positions)
{
    struct element elems[7];
    struct heap heap;
    /* As a max-heap array:        100
     *                         50        90
     *                       10  20    80  85
     * Removing 10 puts 85 at index 4 under 50: it must float up. */
    long long prio[7] = { 100, 50, 90, 10, 20, 80, 85 };

    heap_init(&heap);
    for (int i = 0; i < 7; i++) {
        elems[i].id = i;
        elems[i].in_heap = true;
        heap_insert(&heap, &elems[i].heap_node, prio[i]);
    }
    check_heap(&heap, elems, 7);
    CHECK_EQ(elems[3].heap_node.idx, 4);
    heap_remove(&heap, &elems[3].heap_node);
    elems[3].in_heap = false;
    check_heap(&heap, elems, 7);
    CHECK_EQ(elems[6].heap_node.idx, 2);   /* 85 rose above 50. */

    struct element *last = CONTAINER_OF(heap.array[heap.n], struct element,
                                        heap_node);
    heap_remove(&heap, &last->heap_node);
    last->in_heap = false;
    check_heap(&heap, elems, 7);

    heap_remove(&heap, &elems[0].heap_node);
    elems[0].in_heap = false;
    check_heap(&heap, elems, 7);
    CHECK_EQ(heap_max(&heap)->priority, 90);

    heap_clear(&heap);
    for (int i = 0; i < 7; i++) {
        elems[i].in_heap = false;
    }
    check_heap(&heap, elems, 7);
    heap_destroy(&heap);
}

/* heap_raw_insert() + heap_rebuild() yields a valid heap; HEAP_FOR_EACH
 * visits each node once. */
TEST(raw_insert_rebuild_and_for_each)
{
    enum { N = 1000 };
    struct element *elems = xcalloc(N, sizeof *elems);
    struct heap heap;

    heap_init(&heap);
    for (int i = 0; i < N; i++) {
        elems[i].id = i;
        elems[i].in_heap = true;
        heap_raw_insert(&heap, &elems[i].heap_node, random_priority());
    }
    heap_rebuild(&heap);
    check_heap(&heap, elems, N);

    int *seen = xcalloc(N, sizeof *seen);
    struct element *e;
    size_t count = 0;
    HEAP_FOR_EACH (e, heap_node, &heap) {
        CHECK_EQ(seen[e->id], 0);
        seen[e->id] = 1;
        count++;
    }
    CHECK_EQ(count, N);
    CHECK_EQ(heap_max(&heap)->priority, reference_max(elems, N));

    /* Swap moves the whole heap. */
    struct heap other;
    heap_init(&other);
    heap_swap(&heap, &other);
    CHECK(heap_is_empty(&heap));
    check_heap(&other, elems, N);
    heap_destroy(&heap);
    heap_destroy(&other);
    free(seen);
    free(elems);
}

/* Earliest-deadline-first use: negated times pop in increasing time. */
TEST(min_heap_by_negation)
{
    struct element elems[5];
    long long times[5] = { 300, 100, 500, 0, 200 };
    long long expect[5] = { 0, 100, 200, 300, 500 };
    struct heap heap;

    heap_init(&heap);
    for (int i = 0; i < 5; i++) {
        heap_insert(&heap, &elems[i].heap_node, -times[i]);
    }
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(-heap_pop(&heap)->priority, expect[i]);
    }
    heap_destroy(&heap);
}
