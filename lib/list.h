/*
 * list: an intrusive, circular, doubly linked list.
 *
 * A list is a sentinel struct plx_list; each element embeds another.  An
 * empty list's sentinel points at itself, so insertion and removal never
 * branch on "is this the first element".  Removing an element needs only
 * the element, not the list.
 */
#ifndef PLX_LIST_H
#define PLX_LIST_H 1

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct plx_list {
    struct plx_list *prev;
    struct plx_list *next;
};

#define PLX_LIST_INITIALIZER(LIST) { LIST, LIST }

static inline void
plx_list_init(struct plx_list *list)
{
    list->next = list->prev = list;
}

/* Marks an element that is in no list, so that a removal that runs
 * twice crashes at once instead of corrupting a list. */
static inline void
plx_list_poison(struct plx_list *elem)
{
    elem->prev = elem->next
        = (struct plx_list *) (uintptr_t) 0xccccccccccccccccULL;
}

/* Inserts ELEM just before BEFORE. */
static inline void
plx_list_insert(struct plx_list *before, struct plx_list *elem)
{
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

static inline void
plx_list_push_front(struct plx_list *list, struct plx_list *elem)
{
    plx_list_insert(list->next, elem);
}

static inline void
plx_list_push_back(struct plx_list *list, struct plx_list *elem)
{
    plx_list_insert(list, elem);
}

/* Removes ELEM from its list; returns the element that followed it. */
static inline struct plx_list *
plx_list_remove(struct plx_list *elem)
{
    struct plx_list *next = elem->next;
    elem->prev->next = elem->next;
    elem->next->prev = elem->prev;
    return next;
}

static inline bool
plx_list_is_empty(const struct plx_list *list)
{
    return list->next == list;
}

static inline bool
plx_list_is_singleton(const struct plx_list *list)
{
    return !plx_list_is_empty(list) && list->next == list->prev;
}

static inline struct plx_list *
plx_list_front(const struct plx_list *list)
{
    plx_assert(!plx_list_is_empty(list));
    return list->next;
}

static inline struct plx_list *
plx_list_back(const struct plx_list *list)
{
    plx_assert(!plx_list_is_empty(list));
    return list->prev;
}

static inline struct plx_list *
plx_list_pop_front(struct plx_list *list)
{
    struct plx_list *front = plx_list_front(list);
    plx_list_remove(front);
    return front;
}

static inline struct plx_list *
plx_list_pop_back(struct plx_list *list)
{
    struct plx_list *back = plx_list_back(list);
    plx_list_remove(back);
    return back;
}

/* Moves FIRST..LAST (LAST excluded) from their list to just before BEFORE. */
static inline void
plx_list_splice(struct plx_list *before, struct plx_list *first,
                struct plx_list *last)
{
    if (first == last) {
        return;
    }
    last = last->prev;
    first->prev->next = last->next;
    last->next->prev = first->prev;
    first->prev = before->prev;
    last->next = before;
    before->prev->next = first;
    before->prev = last;
}

/* Appends every element of SRC to DST, leaving SRC empty. */
static inline void
plx_list_push_back_all(struct plx_list *dst, struct plx_list *src)
{
    plx_list_splice(dst, src->next, src);
}

/* Makes DST the list SRC was; SRC's sentinel is then invalid. */
static inline void
plx_list_moved(struct plx_list *dst, const struct plx_list *src)
{
    if (dst->next == src) {
        plx_list_init(dst);
    } else {
        dst->prev->next = dst->next->prev = dst;
    }
}

static inline size_t
plx_list_size(const struct plx_list *list)
{
    size_t n = 0;
    for (const struct plx_list *e = list->next; e != list; e = e->next) {
        n++;
    }
    return n;
}

#define LIST_FOR_EACH(ITER, MEMBER, LIST)                                 \
    for (struct plx_list *ITER##__ = (LIST)->next;                        \
         ITER##__ != (LIST)                                               \
         ? (ASSIGN_CONTAINER(ITER, ITER##__, MEMBER), 1) : 0;             \
         ITER##__ = ITER##__->next)

#define LIST_FOR_EACH_REVERSE(ITER, MEMBER, LIST)                         \
    for (struct plx_list *ITER##__ = (LIST)->prev;                        \
         ITER##__ != (LIST)                                               \
         ? (ASSIGN_CONTAINER(ITER, ITER##__, MEMBER), 1) : 0;             \
         ITER##__ = ITER##__->prev)

/* The body may remove ITER. */
#define LIST_FOR_EACH_SAFE(ITER, MEMBER, LIST)                            \
    for (struct plx_list *ITER##__ = (LIST)->next, *ITER##__n = NULL;     \
         ITER##__ != (LIST)                                               \
         ? (ASSIGN_CONTAINER(ITER, ITER##__, MEMBER),                     \
            ITER##__n = ITER##__->next, 1) : 0;                           \
         ITER##__ = ITER##__n)

#define LIST_FOR_EACH_POP(ITER, MEMBER, LIST)                             \
    for (struct plx_list *ITER##__;                                       \
         !plx_list_is_empty(LIST)                                         \
         ? (ITER##__ = plx_list_pop_front(LIST),                          \
            ASSIGN_CONTAINER(ITER, ITER##__, MEMBER), 1) : 0;)

#endif /* list.h */
