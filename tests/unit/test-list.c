/* Tests for lib/list.h: every operation, checked against the expected
 * sequence of values in both directions. */
#include <config.h>
#include "list.h"

#include "test.h"

struct element {
    int value;
    struct plx_list node;
};

/* Checks that LIST holds exactly VALUES[0..N), in order, walking both
 * ways and checking every back link. */
static void
check_list(const struct plx_list *list, const int *values, size_t n)
{
    const struct plx_list *e = list;
    size_t i = 0;

    CHECK(list->next->prev == list);
    CHECK(list->prev->next == list);
    for (e = list->next; e != list; e = e->next, i++) {
        CHECK(i < n);
        CHECK(e->next->prev == e);
        CHECK(e->prev->next == e);
        CHECK_EQ(CONTAINER_OF(e, struct element, node)->value, values[i]);
    }
    CHECK_EQ(i, n);
    CHECK_EQ(plx_list_size(list), n);
    CHECK_EQ(plx_list_is_empty(list), n == 0);
    CHECK_EQ(plx_list_is_singleton(list), n == 1);

    struct element *elem;
    i = n;
    LIST_FOR_EACH_REVERSE (elem, node, list) {
        CHECK(i > 0);
        CHECK_EQ(elem->value, values[--i]);
    }
    CHECK_EQ(i, 0);
}

static void
make_elements(struct element *elems, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        elems[i].value = i;
    }
}

TEST(push_pop_insert_remove)
{
    struct plx_list list = PLX_LIST_INITIALIZER(&list);
    struct element e[6];

    make_elements(e, 6);
    check_list(&list, NULL, 0);

    plx_list_push_back(&list, &e[1].node);
    check_list(&list, (int[]) { 1 }, 1);
    plx_list_push_front(&list, &e[0].node);
    plx_list_push_back(&list, &e[3].node);
    check_list(&list, (int[]) { 0, 1, 3 }, 3);
    plx_list_insert(&e[3].node, &e[2].node);
    plx_list_insert(&list, &e[4].node);   /* Before the sentinel = back. */
    check_list(&list, (int[]) { 0, 1, 2, 3, 4 }, 5);

    CHECK(plx_list_front(&list) == &e[0].node);
    CHECK(plx_list_back(&list) == &e[4].node);

    CHECK(plx_list_remove(&e[2].node) == &e[3].node);
    plx_list_poison(&e[2].node);
    check_list(&list, (int[]) { 0, 1, 3, 4 }, 4);
    CHECK(plx_list_remove(&e[4].node) == &list);
    check_list(&list, (int[]) { 0, 1, 3 }, 3);

    CHECK(plx_list_pop_front(&list) == &e[0].node);
    CHECK(plx_list_pop_back(&list) == &e[3].node);
    check_list(&list, (int[]) { 1 }, 1);
    CHECK(plx_list_pop_back(&list) == &e[1].node);
    check_list(&list, NULL, 0);
}

TEST(splice)
{
    struct plx_list a, b;
    struct element e[10];

    make_elements(e, 10);
    plx_list_init(&a);
    plx_list_init(&b);
    for (int i = 0; i < 5; i++) {
        plx_list_push_back(&a, &e[i].node);
        plx_list_push_back(&b, &e[i + 5].node);
    }

    /* Empty range: no-op. */
    plx_list_splice(&a, &e[6].node, &e[6].node);
    check_list(&a, (int[]) { 0, 1, 2, 3, 4 }, 5);
    check_list(&b, (int[]) { 5, 6, 7, 8, 9 }, 5);

    /* Middle of B into the middle of A. */
    plx_list_splice(&e[2].node, &e[6].node, &e[8].node);
    check_list(&a, (int[]) { 0, 1, 6, 7, 2, 3, 4 }, 7);
    check_list(&b, (int[]) { 5, 8, 9 }, 3);

    /* Tail of B (up to the sentinel) to the front of A. */
    plx_list_splice(a.next, &e[8].node, &b);
    check_list(&a, (int[]) { 8, 9, 0, 1, 6, 7, 2, 3, 4 }, 9);
    check_list(&b, (int[]) { 5 }, 1);

    /* Within one list: move 3, 4 to the front. */
    plx_list_splice(a.next, &e[3].node, &a);
    check_list(&a, (int[]) { 3, 4, 8, 9, 0, 1, 6, 7, 2 }, 9);

    /* Everything, both ways. */
    plx_list_push_back_all(&b, &a);
    check_list(&a, NULL, 0);
    check_list(&b, (int[]) { 5, 3, 4, 8, 9, 0, 1, 6, 7, 2 }, 10);
    plx_list_push_back_all(&b, &a);   /* Empty source: no-op. */
    check_list(&b, (int[]) { 5, 3, 4, 8, 9, 0, 1, 6, 7, 2 }, 10);
}

TEST(moved)
{
    struct plx_list src, dst;
    struct element e[3];

    make_elements(e, 3);

    /* Empty list: the copy points at the old sentinel until fixed. */
    plx_list_init(&src);
    memcpy(&dst, &src, sizeof dst);
    plx_list_moved(&dst, &src);
    check_list(&dst, NULL, 0);

    /* Singleton and longer lists. */
    for (int n = 1; n <= 3; n++) {
        plx_list_init(&src);
        for (int i = 0; i < n; i++) {
            plx_list_push_back(&src, &e[i].node);
        }
        memcpy(&dst, &src, sizeof dst);
        memset(&src, 0xaa, sizeof src);   /* The old sentinel is dead. */
        plx_list_moved(&dst, &src);
        check_list(&dst, (int[]) { 0, 1, 2 }, n);
    }
}

TEST(safe_iteration_removes)
{
    struct plx_list list;
    struct element e[10];
    struct element *elem;

    make_elements(e, 10);
    plx_list_init(&list);
    for (int i = 0; i < 10; i++) {
        plx_list_push_back(&list, &e[i].node);
    }

    int visited = 0;
    LIST_FOR_EACH_SAFE (elem, node, &list) {
        visited++;
        if (elem->value % 2) {
            plx_list_remove(&elem->node);
            plx_list_poison(&elem->node);
        }
    }
    CHECK_EQ(visited, 10);
    check_list(&list, (int[]) { 0, 2, 4, 6, 8 }, 5);

    int expect = 0;
    LIST_FOR_EACH (elem, node, &list) {
        CHECK_EQ(elem->value, expect);
        expect += 2;
    }
    CHECK_EQ(expect, 10);

    int popped = 0;
    LIST_FOR_EACH_POP (elem, node, &list) {
        CHECK_EQ(elem->value, popped * 2);
        popped++;
    }
    CHECK_EQ(popped, 5);
    check_list(&list, NULL, 0);

    /* Iterating an empty list runs no body. */
    LIST_FOR_EACH (elem, node, &list) {
        CHECK(false);
    }
    LIST_FOR_EACH_SAFE (elem, node, &list) {
        CHECK(false);
    }
}

/* A long random sequence of operations against an array model. */
TEST(randomized_against_array)
{
    enum { N = 64 };
    struct element e[N];
    bool in[N] = { false };
    int model[N];
    size_t n = 0;
    struct plx_list list;

    make_elements(e, N);
    plx_list_init(&list);
    for (int op = 0; op < 20000; op++) {
        int k = test_random() % N;
        if (!in[k]) {
            if (test_random() % 2) {
                plx_list_push_back(&list, &e[k].node);
                model[n++] = k;
            } else {
                plx_list_push_front(&list, &e[k].node);
                memmove(&model[1], &model[0], n * sizeof *model);
                model[0] = k;
                n++;
            }
            in[k] = true;
        } else {
            plx_list_remove(&e[k].node);
            size_t i = 0;
            while (model[i] != k) {
                i++;
            }
            memmove(&model[i], &model[i + 1], (n - i - 1) * sizeof *model);
            n--;
            in[k] = false;
        }
        if (op % 37 == 0) {
            check_list(&list, model, n);
        }
    }
    check_list(&list, model, n);
}
